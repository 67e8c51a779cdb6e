"""Load benchmark of the service: concurrent uploads of the born-digital samples and status polls.

    python -m eval.bench.service [--keys 4] [--rounds 2] [--workers 2] [--concurrency 16] [--db URL]

Starts `budgetx serve` on a free loopback port with a fresh data dir, makes one API key per
simulated client, and has every client upload every born-digital sample `rounds` times at once
(the later rounds with force, so each is a new document; one plain re-upload per client checks
that a duplicate returns the same document), then polls until every document is done. Prints
documents per second, p50/p95 latency of uploads and status polls, errors and lost documents
(both must be 0). Bounded: stops after --timeout seconds; loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from extractor.service.local import Server


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def client_run(url: str, key: str, samples: list[Path], rounds: int, sem: asyncio.Semaphore,
                     lat: dict[str, list[float]], errors: list[str], timeout: float) -> tuple[set[str], set[str]]:
    """One client's uploads and polls; returns (accepted ids, ids done)."""
    accepted: set[str] = set()
    done: set[str] = set()
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as http:

        async def call(kind: str, method: str, path: str, **kw) -> httpx.Response | None:
            async with sem:
                start = time.perf_counter()
                try:
                    r = await http.request(method, path, **kw)
                except httpx.HTTPError as exc:
                    errors.append(f"{kind}: {type(exc).__name__}: {exc}")
                    return None
                lat[kind].append(time.perf_counter() - start)
            if r.status_code >= 400:
                errors.append(f"{kind} {path}: {r.status_code} {r.text[:200]}")
                return None
            return r

        async def upload(pdf: Path, force: bool) -> str | None:
            r = await call("upload", "POST", "/v1/documents", data={"force": "true"} if force else {},
                           files={"file": (pdf.name, pdf.read_bytes(), "application/pdf")})
            return r.json()["id"] if r is not None else None

        # The first round plain, the others forced at once (a plain upload racing a forced one of the
        # same file may rightly be answered with the forced document).
        ids = await asyncio.gather(*(upload(pdf, force=False) for pdf in samples))
        ids += await asyncio.gather(*(upload(pdf, force=True) for _ in range(1, rounds) for pdf in samples))
        accepted = {i for i in ids if i}
        if len(accepted) != len(ids):
            errors.append(f"{len(ids)} uploads gave {len(accepted)} distinct documents")
        again = await upload(samples[0], force=False)  # a duplicate is an existing document
        if again is not None and again not in accepted:
            errors.append(f"re-upload of {samples[0].name} made a new document")
        deadline = time.monotonic() + timeout
        pending = set(accepted)
        while pending and time.monotonic() < deadline:
            replies = await asyncio.gather(*(call("status", "GET", f"/v1/documents/{i}") for i in sorted(pending)))
            for r in replies:
                if r is None:
                    continue
                body = r.json()
                if body["status"] == "done":
                    done.add(body["id"])
                    lat["queued"].append(body["started_at"] - body["created_at"])
                    lat["extract"].append(body["finished_at"] - body["started_at"])
                    pending.discard(body["id"])
                elif body["status"] == "failed":
                    errors.append(f"{body['filename']}: failed: {body['error']}")
                    pending.discard(body["id"])
            await asyncio.sleep(1.0)
        listed = await call("list", "GET", "/v1/documents", params={"limit": 500})
        if listed is not None and {d["id"] for d in listed.json()["items"]} != accepted:
            errors.append("the list does not hold exactly the accepted documents")
    return accepted, done


async def run(url: str, keys: list[str], samples: list[Path], rounds: int, concurrency: int,
              timeout: float) -> dict:
    lat: dict[str, list[float]] = {"upload": [], "status": [], "list": [], "queued": [], "extract": []}
    errors: list[str] = []
    sem = asyncio.Semaphore(concurrency)
    start = time.perf_counter()
    results = await asyncio.gather(*(client_run(url, k, samples, rounds, sem, lat, errors, timeout) for k in keys))
    seconds = time.perf_counter() - start
    accepted = set().union(*(a for a, _ in results))
    done = set().union(*(d for _, d in results))
    return {"seconds": seconds, "accepted": len(accepted), "done": len(done), "lost": len(accepted - done),
            "errors": errors, "latency": lat}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=Path("samples"))
    parser.add_argument("--keys", type=int, default=4, help="simulated clients, one API key each")
    parser.add_argument("--rounds", type=int, default=2, help="times each client uploads each sample")
    parser.add_argument("--workers", type=int, default=2, help="extraction worker processes")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight at most")
    parser.add_argument("--db", default=None, help="job store URL (default SQLite in a fresh data dir)")
    parser.add_argument("--timeout", type=float, default=600, help="give up after this many seconds")
    args = parser.parse_args(argv)
    samples = sorted(p for p in args.samples.glob("*_*.pdf") if not p.name.endswith(".scan.pdf"))
    if not samples:
        print(f"no born-digital samples in {args.samples}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="budgetx-bench-") as tmp:
        server = Server(Path(tmp), args.db, workers=args.workers)
        if args.db:
            server.store().reset()
        server.start()
        try:
            keys = [server.key(f"client{i}") for i in range(args.keys)]
            report = asyncio.run(run(server.url, keys, samples, args.rounds, args.concurrency, args.timeout))
        finally:
            server.stop()
    lat = report["latency"]
    store = "PostgreSQL" if args.db else "SQLite"
    print(f"service ({store}, {args.workers} workers, {args.keys} clients × {args.rounds} rounds × "
          f"{len(samples)} samples, {args.concurrency} requests in flight):")
    print(f"  documents: {report['accepted']} accepted, {report['done']} done in {report['seconds']:.1f} s "
          f"= {report['done'] / report['seconds']:.2f} documents/s")
    for kind in ("upload", "status"):
        ms = [v * 1000 for v in lat[kind]]
        print(f"  {kind}: {len(ms)} requests, p50 {percentile(ms, 50):.0f} ms, p95 {percentile(ms, 95):.0f} ms")
    print(f"  per document: extraction p50 {percentile(lat['extract'], 50):.2f} s, waited in the queue "
          f"p50 {percentile(lat['queued'], 50):.1f} s, p95 {percentile(lat['queued'], 95):.1f} s")
    print(f"  errors: {len(report['errors'])}, lost: {report['lost']}")
    for line in report["errors"][:20]:
        print(f"    {line}")
    return 1 if report["errors"] or report["lost"] else 0


if __name__ == "__main__":
    sys.exit(main())
