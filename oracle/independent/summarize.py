#!/usr/bin/python3
"""Totals and every disagreement of the tester's batches in a work directory.

  python3 summarize.py [--work DIR]      (default $GRADGEN_INDEP_WORK)

Prints: totals (batches, functions, comparisons with torch, bitwise comparisons, mismatches by
class), functions by kind, one row per disagreement (seed, what, class, function, detail), the
roles compared by derivative kind, and last the count of disagreements that need a look: every
row except mismatches classed `conditioning` and torch's own failures (torch_err).
"""
import argparse
import collections
import glob
import json
import os
import re

WORK_ENV = 'GRADGEN_INDEP_WORK'
ROW_KINDS = ('rejected', 'internal', 'panics', 'mism', 'torch_err')


def batch_logs(work):
    """(path, log) of every batch's log.json, by seed"""
    paths = glob.glob(os.path.join(work, 'runs', 'b*', 'log.json'))
    logs = [(p, json.load(open(p))) for p in paths]
    return sorted(logs, key=lambda pl: pl[1]['seed'])


def totals_and_rows(logs):
    """totals counter, functions by kind, and the disagreement rows"""
    totals = collections.Counter()
    kinds = collections.Counter()
    rows = []
    for _, log in logs:
        options = log.get('options', [])
        totals['batches'] += 1
        totals['functions'] += log['functions']
        totals['functions_second_point'] += log.get('functions_s2', 0)
        totals['torch_compares'] += log['checks']
        totals['bitwise_compares'] += log.get('same', 0)
        for option in options:
            totals['batches_' + option] += 1
        kinds.update(log['kinds'])
        for key in ROW_KINDS:
            totals[key] += len(log[key])
            for entry in log[key]:
                cls = entry.get('class') or ''
                if key == 'mism':
                    totals['mism_' + cls] += 1
                detail = (entry.get('key') or '') + ' ' + str(entry.get('detail') or entry.get('err') or entry.get('msg'))
                rows.append((log['seed'], key, cls, entry.get('func'), detail[:200]))
        if 'build_fail' in log:
            totals['build_fail'] += 1
            rows.append((log['seed'], 'build_fail', '', '', log['build_fail'][:300]))
        if log.get('gotest') not in (None, 0):
            totals['gotest_fail'] += 1
            rows.append((log['seed'], 'gotest_fail', '', '', log.get('gotest_out', '')[-300:]))
    return totals, kinds, rows


def roles_compared(work):
    """outputs of the Go programs by role; bitwise:... are the re-runs and concurrent runs"""
    roles = collections.Counter()
    for path in glob.glob(os.path.join(work, 'runs', 'b*', 'out.json')):
        for key in json.load(open(path)):
            m = re.match(r'F\d+(_s2|_s3|_c\d)?\.([A-Za-z]+\d*)', key)
            if not m or m.group(2) in ('in', 'panic'):
                continue
            suffix, role = m.group(1) or '', m.group(2)
            if role.startswith('d') and role[1:].isdigit():
                role = 'deriv' + role[1:]
            prefix = 'bitwise-rerun:' if suffix == '_s3' else 'bitwise-concurrent:' if suffix.startswith('_c') else ''
            roles[prefix + role] += 1
    return roles


def main():
    parser = argparse.ArgumentParser(description="summarize the tester's batches")
    parser.add_argument('--work', default=os.environ.get(WORK_ENV), help='work directory (default $%s)' % WORK_ENV)
    args = parser.parse_args()
    if not args.work:
        parser.error('give --work DIR or set $%s' % WORK_ENV)
    logs = batch_logs(args.work)
    totals, kinds, rows = totals_and_rows(logs)
    print(dict(totals))
    print(dict(kinds))
    for row in rows:
        print(row)
    print(sorted(roles_compared(args.work).items()))
    to_look_at = [r for r in rows if r[1] != 'torch_err' and not (r[1] == 'mism' and r[2] == 'conditioning')]
    print('disagreements to look at (not conditioning, not torch_err): %d' % len(to_look_at))


if __name__ == '__main__':
    main()
