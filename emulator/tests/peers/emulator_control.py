"""The emulator's control API as the peer scripts use it (admin_sql.py, token_sharing.py): push
counters and the login history, to observe what a driver's login did. No proxy: the scripts run in
a private network namespace where only 127.0.0.1 exists."""

import json
import urllib.request

#: The account of the emulator's embedded configuration the peer scripts log in to.
ACCOUNT = "xy12345"


class Emulator:
    """The emulator's control API (counters, history), to observe what a login did."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def get(self, path):
        with self.opener.open(self.base + path, timeout=10) as r:
            return json.loads(r.read())

    def pushes(self, user):
        return self.get(f"/control/counters?account={ACCOUNT}&user={user}")["push_count"]

    def last_login(self, user):
        rows = [h for h in self.get("/control/history") if h["user_name"].lower() == user]
        return rows[-1]
