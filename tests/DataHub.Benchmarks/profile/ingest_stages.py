"""Where an ingest's CPU goes, by pipeline stage, from `perf script` output of a `perf record -g` run of
`datahub ingest` (see ../README.md, "Profiling the ingest").

perf samples the CPU, so a thread that waits or is runnable but not running is never counted, and native code (OpenSSL,
the JIT compiler, the garbage collector) is counted where it runs. Each sample goes to the first stage, in the order below,
with a frame on its stack. OpenSSL and glibc are built without frame pointers, so a stack that ends in them often loses its
managed callers: such samples are counted by the library they were in.

usage: python3 ingest_stages.py PERF_SCRIPT.txt
"""
import collections
import sys

STAGES = [
    ('JIT compiling', ('libclrjit.so',)),
    ('hmac (platform HMAC-SHA256)', ('Pseudonymiser::Token',)),
    ('tokenise (normalise, messages)', ('RowTokeniser::Tokenise',)),
    ('write (Parquet encoding, compression, mart files)', ('MartBatchWriter', 'DataHub.Parquet.ParquetWriter')),
    ('validate (types, rules, repeated rows)', ('FeedReader::CsvRow', 'FieldParser', 'DuplicateRows')),
    ('parse (CSV records)', ('CsvRecordReader', 'FeedReader')),
    ('copy into landing, content SHA-256', ('DropAndIngestAsync', 'ContentHash', 'LandedFile')),
    ('audit', ('Audit',)),
    ('start-up (runtime, command line, protocols)', ('Program::', 'coreclr_initialize', 'ld-linux')),
]
BY_LIBRARY = [
    ('libcrypto', 'OpenSSL, caller lost (HMAC calls, content SHA-256)'),
    ('libcoreclr', 'runtime, caller lost (GC, allocation, type checks)'),
    ('System.Private.CoreLib', 'runtime, caller lost (GC, allocation, type checks)'),
    ('kernel', 'kernel (file I/O, page faults)'),
    ('libc.so', 'glibc, caller lost (memset, memcpy, malloc)'),
]


def samples(path):
    """Each sample's stack, innermost frame first."""
    stack = []
    for line in open(path, errors='replace'):
        if line.startswith(('\t', ' ')) and line.strip():
            stack.append(line.strip())
        elif stack:
            yield stack
            stack = []
    if stack:
        yield stack


def stage(stack):
    joined = '\n'.join(stack)
    label = next((label for label, keys in STAGES if any(k in joined for k in keys)), None)
    if label is not None and (label == STAGES[0][0] or 'libcrypto' not in stack[0]):
        return label
    return next((label for key, label in BY_LIBRARY if key in stack[0]), label or 'other')


def main(path):
    shares = collections.Counter(stage(stack) for stack in samples(path))
    total = sum(shares.values())
    print(f'CPU samples: {total} (about {total / 499:.1f} CPU s at 499 Hz)')
    for label, count in shares.most_common():
        print(f'{100 * count / total:5.1f}%  {label}')


if __name__ == '__main__':
    main(sys.argv[1])
