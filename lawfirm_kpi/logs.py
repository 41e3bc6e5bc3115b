"""One JSON object per log line (LOG_FORMAT=json), for log collectors that index fields (docs/operations.md,
"Logs and error reports"). Standard library only: the fields are the record's own."""

import datetime
import json
import logging

# Attributes every LogRecord has; anything else was passed with extra={...} and is kept as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        request = getattr(record, "request", None)
        if request is not None:  # django.request and django.security attach the request
            entry["method"] = getattr(request, "method", None)
            entry["path"] = getattr(request, "path", None)
        for key, value in vars(record).items():
            if key not in _STANDARD and key != "request" and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # Chinese stays readable; objects that JSON cannot hold are written as their text.
        return json.dumps(entry, ensure_ascii=False, default=str)
