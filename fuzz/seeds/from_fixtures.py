#!/usr/bin/env python3
"""Writes the seed corpora of the virtdrive and engine fuzz targets from the repository's
fixtures: the recorded transcripts (fixtures/transcripts), the fault plans
(fixtures/fault-plans) and the saved disc states (fixtures/saved-discs).

Run from the repository root: python3 fuzz/seeds/from_fixtures.py
The input layouts are those the targets' doc comments describe (fuzz/fuzz_targets/*.rs).
"""
import glob
import gzip
import json
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")
KINDS = ["cd-r74", "cd-r", "dvd+rw", "bd-re", "dvd+r", "bd-r", "dvd-rom", "unknown"]
DIRECTIONS = {"none": 0, "in": 1, "out": 2}


def hexbytes(text):
    return bytes.fromhex(text.replace(" ", "")) if text else b""


def write(target, name, data):
    folder = os.path.join(SEEDS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def transcripts():
    """(case name, medium name, records of its first run)."""
    for case_path in sorted(glob.glob(os.path.join(ROOT, "fixtures/transcripts/*.case.json"))):
        with open(case_path) as f:
            case = json.load(f)
        medium = case["drive"].split(":", 1)[1].split("@")[0].split("/")[0]
        run = os.path.join(os.path.dirname(case_path), case["runs"][0])
        with gzip.open(run, "rt") as f:
            records = [json.loads(line) for line in f if line.strip()]
        yield os.path.basename(case_path)[: -len(".case.json")], medium, records


def emulator_commands(name, medium, records):
    out = bytearray([KINDS.index(medium) if medium in KINDS else 1])
    last = None
    count = 0
    for r in records:
        cdb = hexbytes(r["cdb"])
        if not 1 <= len(cdb) <= 16 or cdb == last:
            continue  # polls repeat the same CDB; one is enough
        last = cdb
        out.append(((len(cdb) - 1) << 4) | DIRECTIONS[r["direction"]])
        out += cdb
        out += r["length"].to_bytes(3, "big") if r["length"] < 1 << 24 else b"\xff\xff\xff"
        if r["direction"] == "out":
            data = hexbytes(r.get("data_out", ""))[:1024]
            out += data + bytes(min(r["length"], 1024) - len(data))
        # Long operations (FORMAT UNIT, CLOSE, BLANK, SYNCHRONIZE CACHE): an hour passes.
        if cdb[0] in (0x04, 0x5B, 0xA1, 0x35):
            out.append(0x0F)
        count += 1
        if count == 128:
            break
    write("emulator_commands", name, bytes(out))


def frame(body):
    return struct.pack("<I", len(body)) + body


def serve_frames(name, records):
    """The EXECUTE requests and COMPLETED replies of a transcript's first commands."""
    stream = bytearray()
    stream += frame(bytes([0x01, 1, 3, 0]) + struct.pack("<I", 4242))  # OPEN /dev/sg, write|excl
    stream += frame(bytes([0x81, 0, 0, 0]) + struct.pack("<iQ", 0, 1))  # OPENED
    for r in records[:24]:
        cdb = hexbytes(r["cdb"])
        if not 1 <= len(cdb) <= 16 or r["length"] > 4096:
            continue
        d = DIRECTIONS[r["direction"]]
        data_out = hexbytes(r.get("data_out", "")) if d == 2 else b""
        if d == 2 and len(data_out) != r["length"]:
            continue
        stream += frame(bytes([0x03, d, len(cdb), 0]) + struct.pack("<II", r["timeout_ms"], r["length"]) + cdb + data_out)
        done = r.get("outcome", {}).get("completed")
        if done is None:
            continue
        sense = hexbytes(done.get("sense", ""))
        data_in = hexbytes(done.get("data_in", ""))
        status = done.get("status", 0)
        stream += frame(bytes([0x83, status, status >> 1, len(sense)])
                        + struct.pack("<iHHIiII", 0, 0, 0, 0, done.get("residual", 0), 1, len(data_in))
                        + sense + data_in)
    stream += frame(bytes([0x02, 0, 0, 0]) + struct.pack("<IQ", 4243, 1))  # ATTACH
    stream += frame(bytes([0x82, 0, 0, 0]) + struct.pack("<i", 0))  # ATTACHED
    stream += frame(bytes([0x04, 0, 0, 0]))  # CLOSE
    stream += frame(bytes([0x84, 0, 0, 0]))  # CLOSED
    stream += frame(bytes([0xFF, 0, 0, 0]) + b"EXECUTE: unknown direction 3")  # ERROR
    write("serve_frames", name, bytes(stream))


def cue_sheets(name, records):
    for i, r in enumerate(records):
        if hexbytes(r["cdb"])[:1] == b"\x5d" and r.get("data_out"):
            write("cue_sheet", f"{name}-{i}", b"\x00" + hexbytes(r["data_out"]))


def engine_seeds():
    for i, medium in enumerate(KINDS):
        for verification in range(3):
            setup = i | verification << 3
            # The drive answers everything, then: every fourth command answered by the input.
            write("engine_hostile_drive", f"{medium}-v{verification}", bytes([setup]))
            hostile = bytearray([setup])
            for n in range(40):
                hostile += bytes([0] * 3) + bytes([6, 2, 0x80, 2, 0x04, n % 8, 0, 0, 0, 0, 0])
            write("engine_hostile_drive", f"{medium}-v{verification}-not-ready", bytes(hostile))


def disc_states():
    for path in sorted(glob.glob(os.path.join(ROOT, "fixtures/saved-discs/*.state.json"))):
        with open(path) as f:
            state = json.load(f)
        kind = KINDS.index(state["medium"]) if state["medium"] in KINDS else 1
        # The data file holds 4 sectors; the state says so.
        state["data_sectors"] = 4
        text = json.dumps(state, indent=2).encode()
        data = bytes(range(256)) * 32
        name = os.path.basename(path)[: -len(".state.json")]
        body = struct.pack("<H", len(text)) + text
        # Without a journal, and with one whose header is for the next generation.
        write("disc_state", name, bytes([kind << 1]) + body + struct.pack("<H", 0) + data)
        header = b"VDJRNL\x00\x01" + struct.pack("<QQ", state["generation"] + 1, 0) + bytes(8)
        journal = header + bytes(2048 - len(header)) + bytes([0xEE]) * 2048
        write("disc_state", name + "-journal", bytes([kind << 1 | 1]) + body
              + struct.pack("<H", len(journal)) + journal + data)


def main():
    for name, medium, records in transcripts():
        emulator_commands(name, medium, records)
        serve_frames(name, records)
        cue_sheets(name, records)
    for path in sorted(glob.glob(os.path.join(ROOT, "fixtures/fault-plans/**/*.json"), recursive=True)):
        with open(path, "rb") as f:
            rel = os.path.relpath(path, os.path.join(ROOT, "fixtures/fault-plans"))
            write("fault_plan", rel.replace("/", "-"), f.read())
    engine_seeds()
    disc_states()


if __name__ == "__main__":
    main()
