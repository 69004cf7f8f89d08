"""Parameter instantiation: defaults, then a variant's assignments, then -p overrides."""

from __future__ import annotations

import re
from dataclasses import dataclass

from model import syntax as S
from model.diagnostics import Collector, did_you_mean, outside_int64, short_int
from model.sorts import INT64_DIGITS, INT_MAX, INT_MIN, fits_int64
from model.source import Span

ParamValue = int | bool | str
INT_TEXT = re.compile(r"[+-]?[0-9]+")


def int_of(text: str) -> int | None:
    """The integer written in `text` (ASCII digits, optional sign), or None when it is not one.

    int() alone also takes '1_000' and non-ASCII digits, and refuses more than 4300 digits: a
    longer value comes back as the nearest value outside int64, for the caller's range check."""
    if not INT_TEXT.fullmatch(text):
        return None
    if len(text.lstrip("+-").lstrip("0")) > INT64_DIGITS:
        return INT_MIN - 1 if text.startswith("-") else INT_MAX + 1
    return int(text, 10)


@dataclass(frozen=True)
class Instance:
    """One parameter assignment to check: a variant (or None) and every parameter's value."""

    variant: str | None
    values: tuple[tuple[str, ParamValue], ...]

    def as_dict(self) -> dict[str, ParamValue]:
        return dict(self.values)

    def rendered(self) -> tuple[tuple[str, str], ...]:
        return tuple((k, value_text(v)) for k, v in self.values)


def parse_value(p: S.ParamDecl, text: str, span: Span | None, out: Collector,
                origin: str) -> ParamValue | None:
    """Parse a parameter value written as text; report a located error when it does not fit."""
    if p.kind == "bool":
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        out.error("SC401", span, f"{origin}: '{text}' is not a value of bool param '{p.name}'", "true or false")
        return None
    if p.kind == "enum":
        if text in p.values:
            return text
        out.error("SC401", span, f"{origin}: '{text}' is not a value of param '{p.name}'",
                  ", ".join(p.values), did_you_mean(text, p.values))
        return None
    v = int_of(text)   # ASCII digits only: not '1_000', not non-ASCII digits such as '٣'
    if v is None:
        out.error("SC401", span, f"{origin}: param '{p.name}' must be an integer, got '{text[:40]}'", "an integer")
        return None
    if not fits_int64(v):
        out.add(outside_int64(span, f"{origin}: param '{p.name}' = {short_int(text)} is outside the supported "
                                    "integer range"))
        return None
    if (p.lo is not None and v < p.lo) or (p.hi is not None and v > p.hi):
        out.error("SC402", span, f"{origin}: param '{p.name}' = {v} is out of range",
                  f"{p.lo if p.lo is not None else '..'} <= {p.name} <= {p.hi if p.hi is not None else '..'}")
        return None
    return v


def value_text(v: ParamValue) -> str:
    """A parameter value as it is written in a spec or on the command line."""
    return str(v).lower() if isinstance(v, bool) else str(v)


def same_value(spec: S.SpecDecl, name: str, a: str, b: str) -> bool:
    """Whether two texts give param `name` the same value (`true` and `True`, `2` and `02`)."""
    decl = next((p for p in spec.params if p.name == name), None)
    if decl is None:
        return a == b
    va, vb = (parse_value(decl, t.strip(), None, Collector(), "") for t in (a, b))
    return va == vb if va is not None and vb is not None else a.strip() == b.strip()


def variant_texts(spec: S.SpecDecl, name: str) -> dict[str, str]:
    """The params variant `name` fixes, as written in the spec ({} for no such variant)."""
    return {k: text for v, assigns in spec.variants if v == name for k, text, _ in assigns}


def parse_overrides(spec: S.SpecDecl, overrides: tuple[str, ...], out: Collector) -> dict[str, ParamValue]:
    """`NAME=VALUE` strings from the command line -> values (errors have no file position)."""
    decls = {p.name: p for p in spec.params}
    result: dict[str, ParamValue] = {}
    for o in overrides:
        name, sep, text = o.partition("=")
        name = name.strip()
        if not sep:
            out.error("SC403", None, f"-p {o}: expected NAME=VALUE")
            continue
        if name not in decls:
            out.error("SC404", None, f"-p {o}: spec '{spec.name}' has no param '{name}'",
                      ", ".join(decls) or "no params", did_you_mean(name, decls))
            continue
        shown = o if len(o) <= 60 else o[:40] + "..."   # a 5,000-digit value is not repeated whole
        v = parse_value(decls[name], text.strip(), None, out, f"-p {shown}")
        if v is not None:
            result[name] = v
    return result


def instances(spec: S.SpecDecl, overrides: dict[str, ParamValue], out: Collector,
              only_variant: str | None = None) -> list[Instance]:
    """Every instance to check: each variant agreeing with the overrides, else one plain instance."""
    decls = {p.name: p for p in spec.params}
    base: dict[str, ParamValue] = {}
    for p in spec.params:
        v = parse_value(p, p.default, p.span, out, "default")
        if v is not None:
            base[p.name] = v
    found: list[Instance] = []
    for vname, assigns in spec.variants:
        if only_variant is not None and vname != only_variant:
            continue
        vals = dict(base)
        for pname, text, span in assigns:
            if pname not in decls:
                out.error("SC404", span, f"variant '{vname}' sets unknown param '{pname}'",
                          ", ".join(decls), did_you_mean(pname, decls))
                continue
            v = parse_value(decls[pname], text, span, out, f"variant '{vname}'")
            if v is not None:
                vals[pname] = v
        clash = [(k, text, sp) for k, text, sp in assigns if k in overrides and k in vals and vals[k] != overrides[k]]
        if not clash:
            vals.update(overrides)
            found.append(Instance(vname, tuple(vals.items())))
        elif only_variant is not None:      # asked for by name: say why it cannot be, never "no variant"
            for k, text, sp in clash:
                out.error("SC405", sp, f"variant '{vname}' fixes {k}={text} but -p sets {k}={value_text(overrides[k])}",
                          f"-p {k}={text}, or no -p {k}, with --variant {vname}")
    if only_variant is not None and not found and not out:
        names = [v for v, _ in spec.variants]
        out.error("SC405", None, f"spec '{spec.name}' has no variant '{only_variant}'",
                  ", ".join(names) or "no variants", did_you_mean(only_variant, names))
    if not found and only_variant is None:
        vals = dict(base)
        vals.update(overrides)
        found.append(Instance(None, tuple(vals.items())))
    return found
