"""What the apps on both ports share at the edge: the error body, the session cookie,
token buckets, and the dependencies that authenticate a request."""
