"""Where an ingest's working time goes, by pipeline stage, from a speedscope export of a dotnet-trace
`dotnet-sampled-thread-time` trace (see ../README.md, "Profiling the ingest").

The sampler records every managed thread about 100 times a second whether it runs or waits, so samples whose innermost
frame is a wait (thread pool, channels, monitors, semaphores, I/O completion) are dropped, as is the finalizer thread,
whose samples repeat its last stack while it sleeps. Each remaining sample is given to the first stage whose frame is on
its stack, searching the stages in the order below. On a loaded machine a runnable thread counts as working, so read the
shares, not the absolute times.

usage: python3 ingest_stages.py TRACE.speedscope.json
"""
import collections
import json
import sys

WAITS = ('LowLevelSpinWaiter.Wait', 'LowLevelLifoSemaphore.WaitNative', 'WaitHandle.WaitOneNoCheck', 'Monitor.Wait(',
         'Thread.Sleep', 'WaitForSignal', 'Interop+Sys.WaitPid', 'Interop+Sys.Poll', 'WaitForSocketEvents')
STAGES = [
    ('hmac (platform HMAC-SHA256)', ('Pseudonymiser.Token',)),
    ('tokenise (normalise, messages)', ('RowTokeniser.Tokenise',)),
    ('write (Parquet encoding, mart files)', ('MartBatchWriter',)),
    ('validate (types, rules, repeats)', ('FeedReader.CsvRow', 'FieldParser', 'DuplicateRows')),
    ('parse (CSV records)', ('CsvRecordReader',)),
    ('copy into landing, content SHA-256', ('HashAsync', 'DropAndIngestAsync', 'CopyToAsync')),
    ('audit', ('Audit',)),
    ('start-up (JIT, command line, protocols)', ('Jit', 'Program.<Main>', 'Program.Main')),
]


def intervals(profile):
    """(stack, duration) for every stretch of an evented profile."""
    stack, last = [], None
    for event in profile['events']:
        if last is not None and stack and event['at'] > last:
            yield list(stack), event['at'] - last
        last = event['at']
        if event['type'] == 'O':
            stack.append(event['frame'])
        else:
            stack.pop()


def main(path):
    trace = json.load(open(path))
    frames = [f['name'] for f in trace['shared']['frames']]
    shares, working = collections.Counter(), 0.0
    for profile in trace['profiles']:
        for stack, duration in intervals(profile):
            names = [frames[i] for i in stack]
            if names and names[-1] in ('CPU_TIME', 'UNMANAGED_CODE_TIME'):
                names = names[:-1]
            if not names or any(w in names[-1] for w in WAITS) or any('RunFinalizers' in n for n in names):
                continue
            working += duration
            joined = ' / '.join(names)
            stage = next((label for label, keys in STAGES if any(k in joined for k in keys)), 'other')
            shares[stage] += duration
    print(f'working thread time sampled: {working / 1000:.1f} s')
    for label, _ in STAGES + [('other', ())]:
        print(f'{100 * shares[label] / working:5.1f}%  {label}')


if __name__ == '__main__':
    main(sys.argv[1])
