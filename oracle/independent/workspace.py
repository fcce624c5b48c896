"""Work directory, gradgen build and Go module set-up shared by tester.py, fdcheck.py and sweep.py.

The repository is the one this file sits in (oracle/independent/../..).  Everything the tools
write goes to a work directory outside it:

  WORK/src/            the gradgen source that is tested: a `git archive HEAD` copy of the
                       repository (default), or nothing when --worktree makes the repository's
                       working tree itself the source
  WORK/src.commit      the commit WORK/src was made from (a later run re-extracts when HEAD moves)
  WORK/gradgen         gradgen built from that source
  WORK/runs/b<SEED>/   one tester batch
  WORK/fd/<tag>/       one fdcheck run
  WORK/results.jsonl   one summary line per batch

The work directory is --work DIR, else $GRADGEN_INDEP_WORK, else a fresh directory under the
system temp dir.
"""
import os
import re
import shutil
import subprocess
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
WORK_ENV = 'GRADGEN_INDEP_WORK'


def add_arguments(parser):
    """add --work and --worktree to an argparse parser"""
    parser.add_argument('--work', default=os.environ.get(WORK_ENV),
                        help='work directory (default $%s, else a fresh directory under the temp dir)' % WORK_ENV)
    parser.add_argument('--worktree', action='store_true',
                        help="test the repository's working tree as it is instead of a git archive of HEAD")


def work_dir(args):
    """the work directory named by args (created), or a fresh one under the system temp dir"""
    if args.work:
        os.makedirs(args.work, exist_ok=True)
        return os.path.abspath(args.work)
    path = tempfile.mkdtemp(prefix='gradgen-indep-')
    print('work directory:', path, flush=True)
    return path


def source_dir(work, worktree):
    """the gradgen source under test: the working tree, or WORK/src extracted from HEAD"""
    if worktree:
        return REPO
    head = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=REPO, capture_output=True, text=True,
                          check=True).stdout.strip()
    src = os.path.join(work, 'src')
    stamp = os.path.join(work, 'src.commit')
    if os.path.isdir(src) and os.path.exists(stamp) and open(stamp).read().strip() == head:
        return src
    shutil.rmtree(src, ignore_errors=True)
    os.makedirs(src)
    archive = subprocess.run(['git', 'archive', head], cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(['tar', '-x', '-C', src], input=archive, check=True)
    with open(stamp, 'w') as fh:
        fh.write(head + '\n')
    gradgen = os.path.join(work, 'gradgen')
    if os.path.exists(gradgen):
        os.remove(gradgen)
    return src


def prepare(args):
    """(work dir, source dir, gradgen binary): extract the source if needed and build gradgen.

    The archive's binary is built once per commit; with --worktree it is rebuilt every time,
    since the working tree may have changed."""
    work = work_dir(args)
    src = source_dir(work, args.worktree)
    gradgen = os.path.join(work, 'gradgen')
    if args.worktree or not os.path.exists(gradgen):
        env = dict(os.environ)
        env.pop('GOEXPERIMENT', None)
        subprocess.run(['go', 'build', '-o', gradgen, './cmd/gradgen'], cwd=src, env=env, check=True)
    return work, src, gradgen


def write_go_module(directory, module, src):
    """go.mod (requiring gradgen replaced by src, and the repository's own requirements) and go.sum
    copied from src, so that `GOFLAGS=-mod=mod go build` in directory needs no download"""
    gomod = open(os.path.join(src, 'go.mod')).read()
    go_version = re.search(r'^go (\S+)', gomod, re.M).group(1)
    requires = re.findall(r'^\s*((?:[\w.-]+\.[\w.-]+/)\S+ v\S+)', gomod, re.M)
    lines = ['module %s' % module, '', 'go %s' % go_version, '', 'require (',
             '\tgithub.com/gradgen/gradgen v0.0.0']
    lines += ['\t%s' % r for r in requires]
    lines += [')', '', 'replace github.com/gradgen/gradgen => %s' % src, '']
    with open(os.path.join(directory, 'go.mod'), 'w') as fh:
        fh.write('\n'.join(lines))
    shutil.copy(os.path.join(src, 'go.sum'), os.path.join(directory, 'go.sum'))
