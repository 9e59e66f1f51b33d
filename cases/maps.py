"""Where the cases are: the places with coordinates and their case counts, drawn as an SVG map.

Each place with coordinates is a circle sized by the cases at it or anywhere
inside it (the count of the case list its link opens, ``place=<slug>``), on
country outlines from Natural Earth (``geodata/``, public domain), in an
equirectangular projection around the places shown. A case at a place
without coordinates (a consulate inside a city that has them) is inside the
circle of the nearest place above it that has them; a case with no such
place above it cannot be drawn, and its place is listed beside the map.

Two queries, however many cases: the cases counted by place, and the places
with coordinates.
"""

import functools
import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Count

from .models import Place, path_ids
from .timeline import list_href

COUNTRIES = Path(__file__).with_name("geodata") / "countries-110m.geojson"

WIDTH = 720
HEIGHT = 400
MIN_SPAN = 50.0  # degrees of longitude shown at least (a single place gets its region around it)
PADDING = 0.15  # of the places' extent, added on each side
RADIUS_MIN = 4.0
RADIUS_MAX = 22.0
UNMAPPED_LISTED = 20  # places without coordinates named beside the map; the rest are counted


@dataclass
class Mark:
    slug: str
    name: str
    full_name: str
    count: int
    href: str
    x: float = 0
    y: float = 0
    r: float = 0
    label_x: float = 0
    label_anchor: str = "start"


@dataclass
class Unmapped:
    full_name: str
    count: int
    href: str


@dataclass
class Outline:
    path: str  # SVG path data
    name: str
    label_x: float | None  # where its name goes: the middle of its largest part, if in the drawing
    label_y: float | None


@dataclass
class CaseMap:
    marks: list  # largest first, so the smaller circles are drawn over the larger
    outlines: list  # the countries around the places: Outline
    unmapped: list  # places with cases and no coordinates on or above them, most cases first
    unmapped_more: int  # places left out of that list
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def by_count(self):
        return sorted(self.marks, key=lambda mark: (-mark.count, mark.name))


@functools.cache
def countries():
    """The country outlines: [(name, bbox, polygons)], each polygon a list of rings of (longitude, latitude)."""
    features = json.loads(COUNTRIES.read_text(encoding="utf-8"))["features"]
    return [
        (feature["properties"]["name"], feature["bbox"], feature["geometry"]["coordinates"]) for feature in features
    ]


def places_map(cases, params=None, within=None):
    """The CaseMap of ``cases`` (a queryset, the list's filter applied), or None when there are none.

    ``params`` as for ``timeline.cases_over_time``; ``within`` the place the
    page is about, if any: the places above it are not drawn (their circles
    would count only its cases, not what their own links show).
    """
    params = params or {}
    rows = list(cases.order_by().values_list("place__path", "place__slug", "place__full_name").annotate(n=Count("pk")))
    paths = [(path, n) for path, _slug, _full_name, n in rows]
    if not paths:
        return None
    inside = Counter()  # cases at each place or inside it
    for path, n in paths:
        for pk in path_ids(path):
            inside[pk] += n
    above = set(within.path_ids[:-1]) if within is not None else set()
    located = {
        pk: (slug, name, full_name, float(lat), float(lon))
        for pk, slug, name, full_name, lat, lon in Place.objects.filter(latitude__isnull=False).values_list(
            "pk", "slug", "name", "full_name", "latitude", "longitude"
        )
        if inside[pk] and pk not in above
    }
    marks = []
    for pk, (slug, name, full_name, lat, lon) in located.items():
        mark = Mark(slug, name, full_name, inside[pk], list_href({**params, "place": slug}))
        mark.x, mark.y = lon, lat  # projected below
        marks.append(mark)
    # The places whose cases no circle holds: cases at them with no place with coordinates above.
    unmapped = [
        Unmapped(full_name, inside[path_ids(path)[-1]], list_href({**params, "place": slug}))
        for path, slug, full_name, _n in rows
        if not any(pk in located for pk in path_ids(path))
    ]
    unmapped.sort(key=lambda place: (-place.count, place.full_name))
    outlines = _project(marks) if marks else []
    marks.sort(key=lambda mark: (-mark.count, mark.name))
    return CaseMap(marks, outlines, unmapped[:UNMAPPED_LISTED], max(len(unmapped) - UNMAPPED_LISTED, 0))


def _project(marks):
    """Project the marks (their x, y hold longitude and latitude) and the countries around them; return
    the countries' Outlines."""
    west, east = min(m.x for m in marks), max(m.x for m in marks)
    south, north = min(m.y for m in marks), max(m.y for m in marks)
    middle = (south + north) / 2
    stretch = math.cos(math.radians(middle))  # equirectangular, true to scale at the middle latitude
    # The extent in projected degrees, padded, at least MIN_SPAN wide, in the drawing's proportions.
    width = max((east - west) * stretch * (1 + 2 * PADDING), MIN_SPAN * stretch)
    height = max((north - south) * (1 + 2 * PADDING), width * HEIGHT / WIDTH)
    width = max(width, height * WIDTH / HEIGHT)
    centre_x, centre_y = (west + east) / 2 * stretch, middle
    scale = WIDTH / width
    left, top = centre_x - width / 2, centre_y + height / 2

    def point(lon, lat):
        return (lon * stretch - left) * scale, (top - lat) * scale

    most = max(m.count for m in marks)
    for mark in marks:
        mark.x, mark.y = (round(value, 1) for value in point(mark.x, mark.y))
        mark.r = round(RADIUS_MIN + (RADIUS_MAX - RADIUS_MIN) * math.sqrt(mark.count / most), 1)
        # The name to the right of the circle, or to its left near the right edge.
        if mark.x < WIDTH * 0.7:
            mark.label_x, mark.label_anchor = round(mark.x + mark.r + 4, 1), "start"
        else:
            mark.label_x, mark.label_anchor = round(mark.x - mark.r - 4, 1), "end"
    # The countries whose bounding box meets the extent, as (lon, lat) degrees.
    lon_west, lon_east = left / stretch, (left + width) / stretch
    lat_south, lat_north = top - height, top
    outlines = []
    for name, (x0, y0, x1, y1), polygons in countries():
        if x1 < lon_west or x0 > lon_east or y1 < lat_south or y0 > lat_north:
            continue
        rings = []
        for polygon in polygons:
            for ring in polygon:
                points = [point(lon, lat) for lon, lat in ring]
                rings.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
        largest = max((polygon[0] for polygon in polygons), key=len)
        x = (min(p[0] for p in largest) + max(p[0] for p in largest)) / 2
        y = (min(p[1] for p in largest) + max(p[1] for p in largest)) / 2
        x, y = point(x, y)
        inside = 40 <= x <= WIDTH - 40 and 20 <= y <= HEIGHT - 20
        outlines.append(Outline("".join(rings), name, round(x, 1) if inside else None, round(y, 1) if inside else None))
    return outlines
