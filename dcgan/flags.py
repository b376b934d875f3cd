"""Command-line flags made from option dataclasses, so that each option is written once.

A field declared with `option(...)` carries its flag name, help, choices and
lowest value; `add_flags` turns a dataclass (and the dataclasses nested in it)
into argparse flags, `from_args` builds the dataclass back from the parsed
flags. No TensorFlow here: `--help` stays fast.
"""

import argparse
import dataclasses

from dcgan.errors import OptionError


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (`prog: error: ...`, exit status 2), not the
    usage and then the error: the one line every tool promises for bad input."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def option(default, help, flag=None, choices=None, minimum=None, maximum=None, above=None, below=None,
           metavar=None, type=None, group=None):
    """A dataclass field that is also a flag (`--name` unless `flag` says otherwise).

    `minimum` and `maximum` bound its values inclusively, `above` and `below` exclusively
    (a learning rate is above 0, a decay below 1); `check` refuses the rest.

    A boolean option that defaults to True becomes a `--no_...` flag (give it as `flag`). Each
    boolean flag's other spelling (`--no_weighted` beside `--weighted`) is accepted too,
    unlisted, so that commands written when the default was the other way keep working.
    `group` names the section of --help it is listed in.
    """
    return dataclasses.field(default=default, metadata={
        "help": help, "flag": flag, "choices": choices,
        "bounds": {"minimum": minimum, "maximum": maximum, "above": above, "below": below},
        "metavar": metavar, "type": type, "section": group})


def nested(cls, title):
    """A field holding another option dataclass, whose flags go in an argument group `title`."""
    return dataclasses.field(default_factory=cls, metadata={"group": title})


def flag_name(cls, name):
    """The flag of field `name` of `cls` (`--nIter` for `n_iter`), for messages."""
    for field in dataclasses.fields(cls):
        if field.name == name and "help" in field.metadata:
            return field.metadata["flag"] or f"--{name}"
        if "group" in field.metadata:
            found = flag_name(field.default_factory, name)
            if found:
                return found
    return None


def add_flags(parser, cls, overrides=None, skip=()):
    """Adds a flag per option of `cls` (nested dataclasses in groups of their own).

    Args:
      parser: an `argparse.ArgumentParser` or argument group.
      cls: an option dataclass.
      overrides: {field name: {"default": ..., "choices": ..., "help": ..., "default_text": ...}}
        for this tool; default_text is what --help says of a default that is resolved later.
      skip: field names this tool does not offer.
    """
    overrides = overrides or {}
    sections = {}
    section = lambda title: sections.setdefault(title, parser.add_argument_group(title)) if title else parser
    for field in dataclasses.fields(cls):
        if field.name in skip:
            continue
        if "group" in field.metadata:
            add_flags(section(field.metadata["group"]), field.default_factory, overrides, skip)
        elif "help" in field.metadata:
            _add_flag(section(field.metadata["section"]), field, overrides.get(field.name, {}))


_OTHER_ACTION = {"store_true": "store_false", "store_false": "store_true"}


def _add_flag(parser, field, override):
    meta = {**field.metadata, **override}
    default = override.get("default", field.default)
    flag = meta["flag"] or f"--{field.name}"
    if isinstance(field.default, bool):
        action = "store_false" if field.default else "store_true"
        parser.add_argument(flag, dest=field.name, action=action, default=default, help=meta["help"])
        other = "--" + flag[len("--no_"):] if flag.startswith("--no_") else "--no_" + flag[2:]
        parser.add_argument(other, dest=field.name, action=_OTHER_ACTION[action], help=argparse.SUPPRESS)
        return
    kind = meta["type"] or (type(field.default) if field.default is not None else str)
    shown = "" if default in (None, "") or "(default" in meta["help"] else " (default: %(default)s)"
    if "default_text" in override:
        shown = f" (default: {override['default_text']})"
    metavar = meta["metavar"] or (None if meta["choices"] else flag.lstrip("-").upper())
    parser.add_argument(flag, dest=field.name, type=kind, default=default, choices=meta["choices"],
                        metavar=metavar, help=meta["help"].replace("%", "%%") + shown)


def check(parser, args, cls):
    """Refuses values outside an option's bounds, with argparse's usage error (exit 2)."""
    for field in dataclasses.fields(cls):
        if "group" in field.metadata:
            check(parser, args, field.default_factory)
            continue
        problem = _bound_problem(field, getattr(args, field.name, None))
        if problem:
            parser.error(f"{field.metadata['flag'] or f'--{field.name}'} {problem}")


def check_value(cls, name, value):
    """For library callers: raises `OptionError` if `value` is outside the bounds of option `name`.

    The same bounds `check` holds the tools' flags to, so that a range is written once.
    """
    field = next(f for f in dataclasses.fields(cls) if f.name == name)
    problem = _bound_problem(field, value)
    if problem:
        raise OptionError(name, problem)


def _bound_problem(field, value):
    """`must be in [0, 0.5], not 0.7` for a value outside the field's bounds, else None."""
    bounds = field.metadata.get("bounds")
    if bounds and value is not None and not _within(value, **bounds):
        return f"must be {_range_text(**bounds)}, not {value}"
    return None


def _within(value, minimum, maximum, above, below):
    return ((minimum is None or value >= minimum) and (maximum is None or value <= maximum)
            and (above is None or value > above) and (below is None or value < below))


def _range_text(minimum, maximum, above, below):
    """`at least 1`, `above 0`, `in [0, 1)`: the bounds as a message says them."""
    low = f"[{minimum}" if minimum is not None else f"({above}" if above is not None else None
    high = f"{maximum}]" if maximum is not None else f"{below})" if below is not None else None
    if low and high:
        return f"in {low}, {high}"
    for words, bound in (("at least", minimum), ("above", above), ("at most", maximum), ("below", below)):
        if bound is not None:
            return f"{words} {bound}"


def from_args(cls, args, **values):
    """Builds `cls` from parsed flags (nested dataclasses too); `values` win over flags."""
    fields = {}
    for field in dataclasses.fields(cls):
        if field.name in values:
            fields[field.name] = values[field.name]
        elif "group" in field.metadata:
            fields[field.name] = from_args(field.default_factory, args)
        elif hasattr(args, field.name):
            fields[field.name] = getattr(args, field.name)
    return cls(**fields)

