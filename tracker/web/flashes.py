"""What the session keeps of the messages flashed for a page not shown yet: the last few.

A browser follows each form's redirect and the next page shows and consumes its message; a
client that posts forms without following the redirects (a script, a load test) left each
message in the signed session cookie, which grew with every post — 400 posts made every
request spend a third of its time reading and writing it, and the cookie soon passes the 4
KB a browser keeps, which would sign its holder out."""

from __future__ import annotations

from flask import Response, session

MOST_KEPT = 5


def keep_the_last_flashes(response: Response) -> Response:
    """After each request, before the session is saved: only the last MOST_KEPT messages
    not yet shown stay in it."""
    # Only a request that changed the session can have added one (reading it would mark
    # every response, a stylesheet's too, as varying with the cookie).
    if session.modified and "_flashes" in session and len(session["_flashes"]) > MOST_KEPT:
        session["_flashes"] = session["_flashes"][-MOST_KEPT:]
    return response
