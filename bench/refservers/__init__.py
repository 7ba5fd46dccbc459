"""Reference servers for ``bench.fanout``: the same fan-out (one trigger, one payload to
every subscriber of one room) on a bare ``websockets`` server and on python-socketio, so
Tasklane's gateway can be compared with what plain Python reaches on this machine.

Both take their triggers on a control WebSocket at ``/control`` (one JSON message
``{"seq": N}`` per broadcast), answer ``GET /readyz`` with 200, and build the payload with
``payload.build`` to the byte size the benchmark measured for a Tasklane event."""
