"""The adapters: each translates one wire format to service calls through the gate and back.

* :mod:`~opencpr.api.gctp` — GCTP (CPR's XML over HTTPS);
* :mod:`~opencpr.api.rest` — REST/JSON, with its OpenAPI document;
* :mod:`~opencpr.api.soap` — SOAP services on Serviceplatformen's contracts;
* :mod:`~opencpr.api.console` — the caseworker console in the browser.

No business rule lives here: an adapter reads a request, calls the gate, and writes the answer.
"""
