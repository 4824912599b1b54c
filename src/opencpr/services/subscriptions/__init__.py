"""CPR subscriptions (SF6002): a subscriber system's filters (PNR, municipality, age range, change
code, no filter) and the persons and changes they select."""
