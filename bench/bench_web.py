"""Response times of the public pages and the API on the current database.

Run against a database with the bundled data loaded (``skillnader`` loads it, or
``skillnader.bundle.load.load_bundle()``)::

    SKILLNADER_HOME=/tmp/sk-web-dev PYTHONPATH=src python bench/bench_web.py [--repeat 20]

Each URL is requested once (the "cold" time, which fills the caches) and then ``--repeat``
times; the script prints the median and 95th percentile per URL family, the cold 95th percentile and the largest HTML page size (before the inline
chart data, i.e. without the ``<script type="application/json">`` blocks).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillnader.web.settings")
    import django

    django.setup()
    from django.test import Client

    from skillnader.web.data.models import Area, Domain, Indicator

    client = Client()
    families: dict[str, list[str]] = {"start": ["/", "/index.json"], "api": []}
    families["domain"] = [f"/domain/{d.id}/" for d in Domain.objects.all()]
    inds = list(Indicator.objects.filter(published=True).values_list("id", flat=True))
    families["indicator"] = [f"/indicator/{i}/" for i in inds]
    families["indicator.json"] = [f"/indicator/{i}.json" for i in inds]
    areas = list(
        Area.objects.filter(level_id__in=["sdo", "regso", "stadsdel"]).values_list(
            "level_id", "vintage__code", "code"
        )[:40]
    )
    families["area"] = [f"/area/{lv}/{v}/{c}/" for lv, v, c in areas]
    families["compare"] = [
        "/compare/?" + "&".join(f"a={lv}/{v}/{c}" for lv, v, c in areas[i : i + 3])
        for i in range(0, min(len(areas), 12), 3)
    ]
    families["search"] = ["/search/?q=sodermalm", "/search/?q=arbete", "/search/?q=rinkeby"]
    families["api"] = [
        "/api/v1/",
        "/api/v1/indicators",
        "/api/v1/observations?limit=500",
        "/api/v1/areas?level=sdo&vintage=2023",
        "/api/v1/openapi.json",
        "/api/v1/comparisons?indicator=social_assistance_share",
        "/api/v1/findings",
    ]
    biggest = (0, "")
    print(
        f"{'family':16} {'urls':>5} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} "
        f"{'cold p95 ms':>12}"
    )
    for family, urls in families.items():
        times, cold = [], []
        for url in urls:
            t = time.perf_counter()
            resp = client.get(url)
            cold.append((time.perf_counter() - t) * 1000)
            if resp.status_code != 200:
                print(f"  {url}: HTTP {resp.status_code}")
                continue
            if resp["Content-Type"].startswith("text/html"):
                body = re.sub(
                    rb'<script[^>]*type="application/json"[^>]*>.*?</script>',
                    b"",
                    resp.content,
                    flags=re.S,
                )
                if len(body) > biggest[0]:
                    biggest = (len(body), url)
            for _ in range(args.repeat):
                t = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - t) * 1000)
        if not times:
            continue
        times.sort()
        cold.sort()
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        cold95 = cold[min(len(cold) - 1, int(0.95 * len(cold)))]
        print(
            f"{family:16} {len(urls):5d} {statistics.median(times):10.1f} {p95:8.1f} "
            f"{times[-1]:8.1f} {cold95:12.1f}"
        )
    print(f"largest HTML page without chart data: {biggest[0] / 1024:.0f} KB ({biggest[1]})")


if __name__ == "__main__":
    main()
