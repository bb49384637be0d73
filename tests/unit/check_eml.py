#!/usr/bin/env python3
"""check_eml.py FILE... - check that messages written by affild decode.

For each .eml file: parse it with Python's email package (policy.default,
the strict modern parser), refuse it when the bytes break the rules affild
promises (a bare LF or CR, a line over 998 bytes, a header line with an
encoded word over 76 characters, a body line over 76 characters, a parser
defect), and print one JSON object per line:

    {"file": ..., "subject": ..., "from": ..., "to": ..., "message_id": ...,
     "date": ..., "body": <text part, decoded>, "html": <html part or null>}

Bodies are given with "\n" line ends.

Exit status: 0 when every file passed, 1 otherwise (reasons on stderr),
2 on usage error.  The end-to-end tests call it from pytest.
"""
import email
import email.policy
import json
import re
import sys

ENCODED_WORD = re.compile(rb"=\?[^?]+\?[BbQq]\?[^?]*\?=")


def byte_problems(raw):
    """Problems in the raw bytes that the parser would silently forgive."""
    problems = []
    if re.search(rb"(?<!\r)\n", raw):
        problems.append("bare LF")
    if re.search(rb"\r(?!\n)", raw):
        problems.append("bare CR")
    head, _, body = raw.partition(b"\r\n\r\n")
    for no, line in enumerate(raw.split(b"\r\n"), 1):
        if len(line) > 998:
            problems.append("line %d longer than 998 bytes" % no)
    for line in head.split(b"\r\n"):
        if ENCODED_WORD.search(line) and len(line) > 76:
            problems.append("encoded header line over 76: %r" % line[:40])
        for word in ENCODED_WORD.findall(line):
            if len(word) > 75:
                problems.append("encoded word over 75: %r" % word[:40])
    for line in body.split(b"\r\n"):
        if len(line) > 76:
            problems.append("body line over 76: %r" % line[:40])
    return problems


def part_text(msg, subtype):
    part = msg.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return None
    # Wire line ends are CRLF; callers compare with "\n" text.
    return part.get_content().replace("\r\n", "\n")


def parser_problems(msg):
    problems = [repr(d) for d in msg.defects]
    for name, value in msg.items():
        problems += ["%s: %r" % (name, d) for d in getattr(value, "defects", ())]
    for part in msg.walk():
        if part is not msg:
            problems += [repr(d) for d in part.defects]
    return problems


def header(msg, name):
    value = msg[name]
    return None if value is None else str(value)


def check(path):
    with open(path, "rb") as f:
        raw = f.read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    problems = byte_problems(raw) + parser_problems(msg)
    for name in ("Date", "From", "To", "Subject", "Message-ID", "MIME-Version"):
        if msg[name] is None:
            problems.append("no %s header" % name)
    info = {
        "file": path,
        "subject": header(msg, "Subject"),
        "from": header(msg, "From"),
        "to": header(msg, "To"),
        "message_id": header(msg, "Message-ID"),
        "date": header(msg, "Date"),
        "body": part_text(msg, "plain"),
        "html": part_text(msg, "html"),
    }
    if info["body"] is None:
        problems.append("no text/plain part")
    return info, problems


def main(argv):
    if len(argv) < 2:
        print("usage: check_eml.py FILE...", file=sys.stderr)
        return 2
    status = 0
    for path in argv[1:]:
        try:
            info, problems = check(path)
        except (OSError, ValueError, LookupError) as e:
            info, problems = None, ["%s" % e]
        for p in problems:
            print("%s: %s" % (path, p), file=sys.stderr)
            status = 1
        if info is not None:
            print(json.dumps(info, ensure_ascii=False))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
