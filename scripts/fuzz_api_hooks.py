"""Schemathesis hooks for scripts/fuzz-api: what it cannot know on its own.

A resumable upload's PATCH sends a recording's bytes as `application/offset+octet-stream`
(tus 1.0). Schemathesis knows no serializer for that type: it is sent as any other bytes
are, as `application/octet-stream` bodies are.
"""

import schemathesis

schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
