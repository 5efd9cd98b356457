"""The local stack. Importing it sets the local defaults Powertools reads when the shared modules
are first imported (service name, no metrics output, no X-Ray), so they hold from the start."""

import os

for _name, _value in {
    "POWERTOOLS_SERVICE_NAME": "siyu-local",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
}.items():
    os.environ.setdefault(_name, _value)
