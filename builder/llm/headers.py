"""HTTP headers the builder adds to OpenAI-compatible requests.

Real servers ignore them; the simulator server uses them to answer deterministically per row
(the row id feeds the responder) and to draw faults per (row, attempt) rather than per arrival
order, so injected faults do not depend on timing.
"""

ROW_ID_HEADER = "X-Builder-Row-Id"
ATTEMPT_HEADER = "X-Builder-Attempt"
