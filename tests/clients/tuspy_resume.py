"""Uploads evidence to a running anjian server with the reference Python tus client (tuspy),
interrupting the upload and resuming it from the offset the server reports; then checks the
server refuses a file whose declared SHA-256 does not match.

    python3 tuspy_resume.py BASE_URL TOKEN
"""
import hashlib
import os
import sys
import tempfile
import urllib.request

from tusclient import client
from tusclient.exceptions import TusCommunicationError, TusUploadFailed

base, token = sys.argv[1], sys.argv[2]
headers = {"Authorization": f"Bearer {token}"}
tus = client.TusClient(f"{base}/v1/uploads", headers=headers)

data = os.urandom(3 * 1024 * 1024 + 12345)
sha = hashlib.sha256(data).hexdigest()
with tempfile.NamedTemporaryFile(suffix=".jpg", delete=False) as f:
    f.write(data)
    path = f.name

# Start, send two chunks, then "lose the connection" (drop the uploader).
first = tus.uploader(path, chunk_size=512 * 1024, metadata={"sha256": sha, "filename": "整改后照片.jpg"}, upload_checksum=True)
first.upload_chunk()
first.upload_chunk()
url = first.url
assert first.offset == 1024 * 1024, first.offset

# A new uploader for the same URL asks the server for the offset and resumes there.
second = tus.uploader(path, chunk_size=512 * 1024, url=url, upload_checksum=True)
assert second.get_offset() == 1024 * 1024, second.get_offset()
second.upload()
assert second.offset == len(data)

req = urllib.request.Request(f"{base}/v1/blobs/{sha}", headers=headers)
with urllib.request.urlopen(req) as resp:
    assert resp.status == 200
    assert hashlib.sha256(resp.read()).hexdigest() == sha

# A declared hash that does not match the bytes is refused at the last byte.
wrong = hashlib.sha256(b"not this file").hexdigest()
bad = tus.uploader(path, chunk_size=4 * 1024 * 1024, metadata={"sha256": wrong})
try:
    bad.upload()
except (TusCommunicationError, TusUploadFailed) as e:
    assert "460" in str(e) or getattr(e, "status_code", None) == 460, e
else:
    raise AssertionError("mismatched upload was accepted")
req = urllib.request.Request(f"{base}/v1/blobs/{wrong}", headers=headers, method="HEAD")
try:
    urllib.request.urlopen(req)
    raise AssertionError("mismatched file stored")
except urllib.error.HTTPError as e:
    assert e.code == 404

print(f"tuspy: resumed upload of {len(data)} bytes stored as {sha[:12]}…; mismatch refused")
