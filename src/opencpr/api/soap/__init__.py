"""SOAP adapters on Serviceplatformen's contracts: the CPR subscription service (SF6002), the
person lookup (SF1520) and CPRLookup (GCTP wrapped in SOAP). Callers are systems identified by
their OCES certificate and Invocation Context."""
