"""Seed 004's performance client, written the seed's way, for `npm run bench` (tools/bench/ingest.ts).

One thread sends one batch at a time with `requests` (a Session: the connection is reused), building
each batch's SOAP envelope of PERF_TEST_BATCH_SIZE events with the running event number as EventID
and an RFC 3339 timestamp (../shared/reference/wef-ingest.md), unthrottled (PERF_TEST_TARGET_EPS=0:
no sleeps), for PERF_TEST_DURATION_SECS. Prints one JSON line: events sent (200 OK), failed batches,
seconds, events/s.
"""

import json
import os
import time
from datetime import datetime, timezone

import requests

ENDPOINT = os.environ.get("WEF_ENDPOINT", "http://wef-server:5985")
DURATION = float(os.environ.get("PERF_TEST_DURATION_SECS", "15"))
BATCH_SIZE = int(os.environ.get("PERF_TEST_BATCH_SIZE", "1000"))


def make_event(number: int, timestamp: str) -> str:
    event_id = (number - 1) % 65535 + 1
    return (
        '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>'
        '<Provider Name="Microsoft-Windows-Security-Auditing">Microsoft-Windows-Security-Auditing</Provider>'
        f"<EventID>{event_id}</EventID><Level>0</Level><Task>12544</Task><Keywords>0x8020000000000000</Keywords>"
        f'<TimeCreated SystemTime="{timestamp}">{timestamp}</TimeCreated>'
        f"<EventRecordID>{number}</EventRecordID><Channel>Security</Channel><Computer>PERF-TEST-HOST</Computer></System>"
        f'<EventData><Data Name="TargetUserName">perf_user_{number % 1000}</Data><Data Name="IpAddress">10.0.0.1</Data></EventData>'
        "</Event>\n"
    )


def make_batch(first: int, count: int) -> str:
    timestamp = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    events = "".join(make_event(first + i, timestamp) for i in range(count))
    return f'<?xml version="1.0" encoding="utf-8"?>\n<Envelope><Body><Events>\n{events}</Events></Body></Envelope>\n'


def main() -> None:
    session = requests.Session()
    url = f"{ENDPOINT}/wsman/events"
    headers = {"Content-Type": "application/soap+xml"}
    sent = failed = 0
    number = 1
    start = time.time()
    while time.time() - start < DURATION:
        body = make_batch(number, BATCH_SIZE)
        number += BATCH_SIZE
        try:
            response = session.post(url, data=body.encode("utf-8"), headers=headers, timeout=60)
            if response.status_code == 200:
                sent += BATCH_SIZE
            else:
                failed += 1
        except requests.RequestException:
            failed += 1
    elapsed = time.time() - start
    print(json.dumps({"events_sent": sent, "failed_batches": failed, "seconds": elapsed, "events_per_second": sent / elapsed}))


if __name__ == "__main__":
    main()
