"""Subject codes settled across the tables of one document.

A disclosure prints the same function subjects (code + name) in several tables: t2, t3, t5 list
the whole classification of the unit, t7/t8/t9 parts of it. A scan misreads a digit of a code
("20605" for 20805) or loses its 款/项 digits ("210" for 2101103) in one table while the others
read it right, and a row with a wrong code is a wrong row. So a code seen with its name in no
other table, while the other tables agree on a close code for that name, takes theirs when the
reading is clearly broken: digits lost (a prefix of theirs), or a code that does not sit under its
own table's 类/款 row above it. A well-formed code that merely differs is left as printed: the
disclosures do print the odd different code for one subject in one table (002's t3 prints
2080609 where t2 and t5 print 2080699), and the gold keeps what is printed. A row that lost its
name takes the name the other tables print with its code.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from rapidfuzz import fuzz

from .locate import normalise

# Tables keyed by function subject codes (t6 uses economic codes, printed once).
FUNCTION_CODED = ("t2", "t3", "t5", "t7", "t8", "t9")
NAME_MIN = 90.0  # fuzzy ratio for two readings of one subject name


def shared_codes(codes) -> dict[str, list[int]]:
    """Codes that two lines or more of one table read (a code names one line), with those lines'
    indexes; ``codes``: each line's code, None where it has none."""
    lines: dict[str, list[int]] = defaultdict(list)
    for i, code in enumerate(codes):
        if code:
            lines[str(code)].append(i)
    return {code: rows for code, rows in lines.items() if len(rows) > 1}


def close_codes(read: str, other: str) -> int | None:
    """How far a read code is from another reading of it, None when they are no misreading.

    Same length: the number of differing digits (at most two, never the 类 digits all at once).
    Shorter: a reading that lost its trailing 款/项 digits is a prefix of the full code.
    """
    if len(read) == len(other):
        diff = sum(a != b for a, b in zip(read, other))
        return diff if 0 < diff <= 2 else None
    if len(read) < len(other) and other.startswith(read):
        return len(other) - len(read)
    return None


def misplaced(rows: list[dict]) -> set[int]:
    """Rows whose code does not continue the 类/款 row printed above it ("20605" under 208)."""
    out: set[int] = set()
    lead = mid = None
    for i, row in enumerate(rows):
        code = row.get("code") or ""
        if len(code) == 3:
            lead, mid = code, None
        elif len(code) == 5:
            if lead and not code.startswith(lead):
                out.add(i)
            else:
                mid = code
        elif len(code) == 7:
            if (mid and not code.startswith(mid)) or (lead and not code.startswith(lead)):
                out.add(i)
    return out


def settle_codes(tables: dict) -> None:
    """Correct codes and fill lost names in place on the tables' row dicts."""
    seen: dict[str, dict[tuple[str, str], int]] = {}  # table → (code, name) → count
    for key in FUNCTION_CODED:
        table = tables.get(key)
        if not table:
            continue
        pairs: Counter = Counter()
        for row in table.get("rows") or []:
            code, name = row.get("code"), normalise(row.get("name") or "")
            if code and name:
                pairs[(code, name)] += 1
        seen[key] = dict(pairs)

    def elsewhere(key: str) -> tuple[dict[str, Counter], dict[str, Counter]]:
        """Codes by name and names by code in the other tables (one vote per table)."""
        by_name: dict[str, Counter] = defaultdict(Counter)
        by_code: dict[str, Counter] = defaultdict(Counter)
        for other, pairs in seen.items():
            if other == key:
                continue
            for code, name in pairs:
                by_name[name][code] += 1
                by_code[code][name] += 1
        return by_name, by_code

    for key in seen:
        by_name, by_code = elsewhere(key)
        own_codes = {code for code, _ in seen[key]}
        broken = misplaced(tables[key]["rows"])
        for i, row in enumerate(tables[key]["rows"]):
            code, raw_name = row.get("code"), row.get("name")
            name = normalise(raw_name or "")
            if code and not name and by_code.get(code):
                # The row's name was lost: the other tables print this code with one name.
                names = by_code[code].most_common()
                if len(names) == 1 or names[0][1] > names[1][1]:
                    row["name"] = names[0][0]
                continue
            if not code or not name:
                continue
            if any(fuzz.ratio(name, n) >= NAME_MIN for n in by_code.get(code, ())):
                continue  # another table reads this code with this name: confirmed
            votes: Counter = Counter()
            for other_name, codes in by_name.items():
                if other_name == name or fuzz.ratio(name, other_name) >= NAME_MIN:
                    votes.update(codes)
            candidates = []
            for other, count in votes.items():
                distance = close_codes(code, other)
                if distance is not None and len(code) == len(other) and i not in broken:
                    continue  # well-formed and in place: printed so, perhaps differently
                # A code the table already prints for another row is not this row's (t7 prints
                # one code on each of its project rows).
                if distance is not None and (key == "t7" or other not in own_codes):
                    candidates.append((distance, -count, other))
            candidates.sort()
            if candidates and (len(candidates) == 1 or candidates[0][:2] != candidates[1][:2]):
                row["code"] = candidates[0][2]
