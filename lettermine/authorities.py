"""Local authority names: the many ways a council is printed, reduced to one canonical name."""

from __future__ import annotations

import re

# English local authorities with children's services (upper tier), by their common short name.
AUTHORITIES: tuple[str, ...] = (
    "Barking and Dagenham", "Barnet", "Barnsley", "Bath and North East Somerset", "Bedford",
    "Bexley", "Birmingham", "Blackburn with Darwen", "Blackpool", "Bolton",
    "Bournemouth, Christchurch and Poole", "Bracknell Forest", "Bradford", "Brent",
    "Brighton and Hove", "Bristol", "Bromley", "Buckinghamshire", "Bury", "Calderdale",
    "Cambridgeshire", "Camden", "Central Bedfordshire", "Cheshire East",
    "Cheshire West and Chester", "City of London", "Cornwall", "Coventry", "Croydon",
    "Cumberland", "Darlington", "Derby", "Derbyshire", "Devon", "Doncaster", "Dorset",
    "Dudley", "Durham", "Ealing", "East Riding of Yorkshire", "East Sussex", "Enfield",
    "Essex", "Gateshead", "Gloucestershire", "Greenwich", "Hackney", "Halton",
    "Hammersmith and Fulham", "Hampshire", "Haringey", "Harrow", "Hartlepool", "Havering",
    "Herefordshire", "Hertfordshire", "Hillingdon", "Hounslow", "Hull", "Isle of Wight",
    "Isles of Scilly", "Islington", "Kensington and Chelsea", "Kent", "Kingston upon Thames",
    "Kirklees", "Knowsley", "Lambeth", "Lancashire", "Leeds", "Leicester", "Leicestershire",
    "Lewisham", "Lincolnshire", "Liverpool", "Luton", "Manchester", "Medway", "Merton",
    "Middlesbrough", "Milton Keynes", "Newcastle upon Tyne", "Newham", "Norfolk",
    "North East Lincolnshire", "North Lincolnshire", "North Northamptonshire",
    "North Somerset", "North Tyneside", "North Yorkshire", "Northumberland", "Nottingham",
    "Nottinghamshire", "Oldham", "Oxfordshire", "Peterborough", "Plymouth", "Portsmouth",
    "Reading", "Redbridge", "Redcar and Cleveland", "Richmond upon Thames", "Rochdale",
    "Rotherham", "Rutland", "Salford", "Sandwell", "Sefton", "Sheffield", "Shropshire",
    "Slough", "Solihull", "Somerset", "South Gloucestershire", "South Tyneside",
    "Southampton", "Southend-on-Sea", "Southwark", "St Helens", "Staffordshire", "Stockport",
    "Stockton-on-Tees", "Stoke-on-Trent", "Suffolk", "Sunderland", "Surrey", "Sutton",
    "Swindon", "Tameside", "Telford and Wrekin", "Thurrock", "Torbay", "Tower Hamlets",
    "Trafford", "Wakefield", "Walsall", "Waltham Forest", "Wandsworth", "Warrington",
    "Warwickshire", "West Berkshire", "West Northamptonshire", "West Sussex", "Westminster",
    "Westmorland and Furness", "Wigan", "Wiltshire", "Windsor and Maidenhead", "Wirral",
    "Wokingham", "Wolverhampton", "Worcestershire", "York",
    # Authorities that no longer exist but appear in older reports.
    "Northamptonshire", "Cumbria", "Bournemouth", "Poole",
)  # fmt: skip

# Printed forms whose short name is not simply the longer name with its prefix/suffix removed.
_ALIASES: dict[str, str] = {
    "kingston upon hull": "Hull",
    "hull city": "Hull",
    "county durham": "Durham",
    "newcastle": "Newcastle upon Tyne",
    "telford": "Telford and Wrekin",
    "royal borough of windsor and maidenhead": "Windsor and Maidenhead",
    "bcp": "Bournemouth, Christchurch and Poole",
    "corporation of london": "City of London",
    "london corporation": "City of London",
    "city of london corporation": "City of London",
    "southend": "Southend-on-Sea",
    "east riding": "East Riding of Yorkshire",
    "herefordshire county": "Herefordshire",
    "brighton": "Brighton and Hove",
    "bristol city": "Bristol",
    "sandwell children's trust": "Sandwell",
    "doncaster children's services trust": "Doncaster",
}

_PREFIXES = (
    "the ",
    "london borough of ",
    "royal borough of ",
    "metropolitan borough of ",
    "borough of ",
    "council of the ",
    "council of ",
    "county of ",
    "city and county of ",
    "city of ",
)
_SUFFIXES = (
    " children's services",
    " children's social care",
    " local authority",
    " metropolitan borough council",
    " metropolitan district council",
    " metropolitan council",
    " metropolitan borough",
    " borough",
    " borough council",
    " county council",
    " city council",
    " district council",
    " unitary authority",
    " council",
    " mbc",
    " city",
    " county",
)


def _key(name: str) -> str:
    text = name.replace("\u2019", "'").replace("&", " and ").lower()
    text = re.sub("[\u2010-\u2015\u2212]", "-", text)  # "Southend-on–Sea" as printed
    text = re.sub(r"[^a-z0-9',\- ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip(" ,.-")


_BY_KEY: dict[str, str] = {_key(a): a for a in AUTHORITIES}
_BY_KEY.update({_key(k): v for k, v in _ALIASES.items()})


def _strip(key: str) -> str:
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if key.startswith(prefix) and _key(key) not in _BY_KEY:
                key, changed = key[len(prefix) :], True
        for suffix in _SUFFIXES:
            if key.endswith(suffix) and _key(key) not in _BY_KEY:
                key, changed = key[: -len(suffix)], True
    return key.strip()


def canonical_authority(printed: str | None) -> str | None:
    """The canonical short name of the council a printed name refers to, or None if unknown."""
    if not printed or not printed.strip():
        return None
    key = _key(printed)
    if key in _BY_KEY:
        return _BY_KEY[key]
    stripped = _strip(key)
    return _BY_KEY.get(stripped)


def authority_name(printed: str | None) -> str | None:
    """The canonical name if the council is known, else the printed name tidied up."""
    known = canonical_authority(printed)
    if known or not printed:
        return known
    stripped = _strip(_key(printed))
    return stripped.title() if stripped else None
