"""Independent random spec generator for gradgen (written from README only).

Each generated expression is an AST whose nodes carry:
  s     - the expression text (rendered with README precedence, minimal parens)
  prec  - precedence level of the text's top operator
  shape - ('s',) scalar | ('c', r) column vector | ('r', c) row vector | ('m', r, c) matrix
  fn    - python closure env -> torch tensor (scalar: 0-d; others 2-D)
"""
import re

import torch

ATOM, POST, POW, UN, MUL, ADD = 100, 90, 80, 70, 60, 50


class Node:
    def __init__(self, s, prec, shape, fn, kind=None, leaf=False):
        # gradgen types every 1x1 result of an operation as a scalar; so do we
        if not leaf and shape[0] != 's' and dims(shape) == ('1', '1'):
            shape = ('s',)
            fn0 = fn
            fn = lambda env: fn0(env).reshape(())
        self.s, self.prec, self.shape, self.fn, self.kind = s, prec, shape, fn, kind


def as2d(x):
    return x.reshape(1, 1) if x.dim() == 0 else x


def wrap(n, p):
    return n.s if n.prec >= p else '(' + n.s + ')'


def dims(shape):
    if shape[0] == 's':
        return ('1', '1')
    if shape[0] == 'c':
        return (shape[1], '1')
    if shape[0] == 'r':
        return ('1', shape[1])
    return (shape[1], shape[2])


def T(shape):  # transpose shape
    if shape[0] == 's':
        return shape
    if shape[0] == 'c':
        return ('r', shape[1])
    if shape[0] == 'r':
        return ('c', shape[1])
    return ('m', shape[2], shape[1])


def tt(x):
    return x if x.dim() == 0 else x.t()


def norm2t(x):
    s = (x * x).sum()
    # README: norm2 has gradient 0 at 0
    return torch.sqrt(s) if s.item() > 0 else s * 0


def softplus(x):
    return torch.logaddexp(x, torch.zeros_like(x))


FREE = {  # elementwise functions defined everywhere
    'exp': torch.exp, 'sin': torch.sin, 'cos': torch.cos, 'arctan': torch.atan,
    'sinh': torch.sinh, 'cosh': torch.cosh, 'tanh': torch.tanh, 'erf': torch.erf,
    'sigmoid': torch.sigmoid, 'softplus': softplus, 'abs': torch.abs, 'relu': torch.relu,
    'sign': torch.sign, 'expm1': torch.expm1,
}
POSF = {'log': torch.log, 'sqrt': torch.sqrt, 'log1p': torch.log1p}
UNITF = {'arcsin': torch.asin, 'arccos': torch.acos, 'tan': torch.tan, 'log1p': torch.log1p}


class Gen:
    def __init__(self, rng, fname, order_mode=False, big=False):
        self.r = rng
        self.big = big
        self.fname = fname
        # dimension symbols: named with runtime values, plus literals
        names = ['n', 'm', 'k', 'p', 'q']
        self.r.shuffle(names)
        nn = self.r.choice([1, 2, 2, 3])
        self.dimval = {}
        for nm in names[:nn]:
            self.dimval[nm] = self.r.choice([1, 2, 2, 3, 3, 4])
            if big and nm in names[:2]:
                self.dimval[nm] = self.r.choice([17, 130, 257, 520])
        for lit in ['1', '2', '3']:
            self.dimval[lit] = int(lit)
        self.named = names[:nn]
        self.inputs = []  # list of dicts: name, type, shape, pos
        self.bykey = {}
        self.lets = []  # (name, node)
        self.letpool = {}
        self.counters = {}
        self.order_mode = order_mode
        self.t_input = None
        if order_mode:
            self.t_input = self.new_input(('s',), pos=False, name='t')

    # ---------------------------------------------------------------- dims
    ONES = False

    def dim(self, allow1=True):
        if Gen.ONES and allow1 and self.r.random() < 0.35:
            return '1'
        if self.r.random() < 0.72:
            return self.r.choice(self.named)
        return self.r.choice(['1', '2', '3'] if allow1 else ['2', '3'])

    # ---------------------------------------------------------------- inputs
    def fresh(self, pool):
        for nm in pool:
            if nm not in [i['name'] for i in self.inputs] and nm not in self.dimval:
                return nm
        base = pool[0]
        i = 2
        while base + str(i) in [x['name'] for x in self.inputs]:
            i += 1
        return base + str(i)

    def new_input(self, shape, pos=False, kind=None, name=None):
        if shape[0] == 's':
            typ = 'scalar'
            nm = name or self.fresh(['a', 'b', 'c', 's', 'h', 'g', 'e', 'f'])
        elif shape[0] == 'c':
            typ = 'vector(%s)' % shape[1]
            nm = self.fresh(['x', 'y', 'z', 'u', 'v', 'w'])
        else:
            r, c = shape[1], shape[2]
            if kind is None:
                kind = 'matrix'
            if kind == 'matrix':
                typ = 'matrix(%s, %s)' % (r, c)
                nm = self.fresh(['A', 'B', 'C', 'D', 'G', 'M', 'N', 'R'])
            elif kind == 'symmetric':
                typ = 'symmetric(%s)' % r
                nm = self.fresh(['S', 'U', 'V', 'W'])
            else:
                typ = 'spd(%s)' % r
                nm = self.fresh(['P', 'Q', 'K', 'L'])
        d = dict(name=nm, type=typ, shape=shape, pos=pos, kind=kind or ('scalar' if shape[0] == 's' else 'vector'))
        self.inputs.append(d)
        self.bykey.setdefault((shape, pos, d['kind']), []).append(d)
        return d

    def input_node(self, d):
        nm = d['name']
        return Node(nm, ATOM, d['shape'], lambda env, nm=nm: env[nm], kind=d['kind'], leaf=True)

    def leaf(self, shape, pos=False):
        r = self.r
        if shape[0] == 's' and not pos and r.random() < 0.25:
            v = r.choice(['0.5', '2', '1.5', '3', '0.25', '1e-1', '0.7'])
            return Node(v, ATOM, shape, lambda env, v=v: torch.tensor(float(v), dtype=torch.float64))
        if self.order_mode and shape[0] == 's' and not pos and r.random() < 0.6:
            return self.input_node(self.t_input)
        # let reuse
        if not pos and shape in self.letpool and r.random() < 0.5:
            nm, node = r.choice(self.letpool[shape])
            return Node(nm, ATOM, node.shape, node.fn, leaf=True)
        if shape[0] == 'r' and r.random() < 0.85:
            c = self.leaf(('c', shape[1]), pos)
            return self.transpose(c)
        if shape[0] == 'm' and r.random() < 0.2 and not pos:
            c = self.leaf(T(shape), pos)
            return self.transpose(c)
        if shape[0] == 'r':
            # row vector leaf as a 1 x c matrix input is a different type; use transpose of vector
            return self.transpose(self.leaf(('c', shape[1]), pos))
        kind = None
        if shape[0] == 'm':
            if shape[1] == shape[2] and r.random() < 0.45:
                kind = r.choice(['symmetric', 'spd'])
            else:
                kind = 'matrix'
            if shape[1] == '1' and shape[2] == '1':
                kind = 'matrix'
        else:
            kind = 'scalar' if shape[0] == 's' else 'vector'
        cands = self.bykey.get((shape, pos, kind), [])
        if shape[0] == 'm' and shape[1] == shape[2] and not pos:
            cands = [d for k2 in ['matrix', 'symmetric', 'spd'] for d in self.bykey.get((shape, False, k2), [])]
        if cands and r.random() < 0.65:
            d = r.choice(cands)
        else:
            d = self.new_input(shape, pos=pos, kind=kind)
        return self.input_node(d)

    # ---------------------------------------------------------------- node builders
    def transpose(self, a):
        return Node(wrap(a, POST) + "'", POST, T(a.shape), lambda env: tt(a.fn(env)))

    def neg(self, a):
        return Node('-' + wrap(a, POW), UN, a.shape, lambda env: -a.fn(env))

    def rmaybe(self, b, p):
        # right operand of a left-assoc binary op of precedence p
        if b.prec == UN and self.r.random() < 0.5:
            return b.s
        return wrap(b, p + 1)

    def binop(self, op, a, b, shape, fn, p):
        s = wrap(a, p) + ' ' + op + ' ' + self.rmaybe(b, p)
        return Node(s, p, shape, fn)

    def add(self, a, b, sub=False):
        shape = bshape(a.shape, b.shape)
        if sub:
            return self.binop('-', a, b, shape, lambda env: a.fn(env) - b.fn(env), ADD)
        return self.binop('+', a, b, shape, lambda env: a.fn(env) + b.fn(env), ADD)

    def had(self, a, b, op='.*'):
        shape = bshape(a.shape, b.shape)
        if op == '.*':
            return self.binop('.*', a, b, shape, lambda env: a.fn(env) * b.fn(env), MUL)
        return self.binop('./', a, b, shape, lambda env: a.fn(env) / b.fn(env), MUL)

    def mul(self, a, b):
        sa, sb = a.shape, b.shape
        if sa[0] == 's' or sb[0] == 's':
            shape = sb if sa[0] == 's' else sa
            return self.binop('*', a, b, shape, lambda env: a.fn(env) * b.fn(env), MUL)
        ra, ca = dims(sa)
        rb, cb = dims(sb)
        assert ca == rb, (a.s, b.s)
        if ra == '1' and cb == '1':
            shape = ('s',)
            fn = lambda env: (as2d(a.fn(env)) @ as2d(b.fn(env))).reshape(())
        else:
            if sb[0] == 'c' or (sa[0] in 'cm' and sb[0] == 'm' and cb == '1' and False):
                shape = ('c', ra)
            elif sa[0] == 'r':
                shape = ('r', cb)
            else:
                shape = ('m', ra, cb)
            fn = lambda env: as2d(a.fn(env)) @ as2d(b.fn(env))
        return self.binop('*', a, b, shape, fn, MUL)

    def sdiv(self, a, s):
        return self.binop('/', a, s, a.shape, lambda env: a.fn(env) / s.fn(env), MUL)

    def call(self, name, args, shape, fn):
        return Node(name + '(' + ', '.join(x if isinstance(x, str) else x.s for x in args) + ')', ATOM, shape, fn)

    def pow_(self, a, e, op):
        if e.prec >= POW or (e.prec == UN and e.s.startswith('-')):
            es = e.s
        else:
            es = '(' + e.s + ')'
        s = wrap(a, POST) + ' ' + op + ' ' + es
        return Node(s, POW, a.shape, lambda env: torch.pow(a.fn(env), e.fn(env)))

    def lit(self, v):
        return Node(v, ATOM, ('s',), lambda env, v=v: torch.tensor(float(v), dtype=torch.float64))

    def mkconst(self, shape, c):
        # vector(c) / matrix(c), shape from context
        rr, cc = shape[1], (shape[2] if shape[0] == 'm' else None)
        word = 'vector' if shape[0] == 'c' else 'matrix'

        def fn(env, shape=shape, c=c):
            if shape[0] == 'c':
                return torch.full((self.dimval[shape[1]], 1), float(c), dtype=torch.float64)
            return torch.full((self.dimval[shape[1]], self.dimval[shape[2]]), float(c), dtype=torch.float64)
        return Node('%s(%s)' % (word, c), ATOM, shape, fn)

    def let(self, node):
        i = len(self.lets)
        nm = 'L%d' % i
        self.lets.append((nm, node))
        self.letpool.setdefault(node.shape, []).append((nm, node))
        return Node(nm, ATOM, node.shape, node.fn, leaf=True)

    # ---------------------------------------------------------------- generators
    def pos(self, shape, d):
        r = self.r
        ew = '.^' if shape[0] != 's' else '^'
        ch = r.random()
        if d <= 0 or ch < 0.25:
            return self.leaf(shape, pos=True)
        g = self.gen(shape, d - 1)
        if ch < 0.4:
            return self.call('softplus', [g], shape, lambda env: softplus(g.fn(env)))
        if ch < 0.5:
            return self.call('exp', [g], shape, lambda env: torch.exp(g.fn(env)))
        if ch < 0.6:
            return self.add(self.lit('0.5'), self.call('sigmoid', [g], shape, lambda env: torch.sigmoid(g.fn(env))))
        if ch < 0.75:
            return self.add(self.lit('1'), self.pow_(g, self.lit('2'), ew))
        if ch < 0.85:
            return self.call('cosh', [g], shape, lambda env: torch.cosh(g.fn(env)))
        if shape[0] == 's' and ch < 0.95:
            a = self.gen(r.choice([('c', self.dim()), ('m', self.dim(), self.dim())]), d - 1)
            return self.add(self.call('sumsq', [a], shape, lambda env: (a.fn(env) ** 2).sum()), self.lit('0.5'))
        return self.had(self.pos(shape, d - 1), self.pos(shape, d - 1), '.*' if shape[0] != 's' else '.*')

    def unit(self, shape, d):
        r = self.r
        g = self.gen(shape, d - 1)
        ch = r.random()
        if ch < 0.3:
            return self.mul(self.lit('0.9'), self.call('tanh', [g], shape, lambda env: torch.tanh(g.fn(env))))
        if ch < 0.5:
            return self.call('sigmoid', [g], shape, lambda env: torch.sigmoid(g.fn(env)))
        if ch < 0.7:
            return self.mul(self.lit('0.5'), self.call('erf', [g], shape, lambda env: torch.erf(g.fn(env))))
        if ch < 0.85:
            return self.mul(self.call('sin', [g], shape, lambda env: torch.sin(g.fn(env))), self.lit('0.8'))
        return self.sdiv(self.call('cos', [g], shape, lambda env: torch.cos(g.fn(env))), self.lit('2'))

    def sqwell(self, n, d):
        """a square n x n matrix expected to be reasonably conditioned"""
        r = self.r
        ch = r.random()
        if ch < 0.35:
            cands = self.bykey.get((('m', n, n), False, 'spd'), [])
            dd = r.choice(cands) if cands and r.random() < 0.6 else self.new_input(('m', n, n), kind='spd')
            return self.input_node(dd)
        if ch < 0.6:
            k = self.dim()
            a = self.gen(('m', n, k), d - 1)
            if r.random() < 0.7:
                a = self.let(a)
            eye = Node('eye(%s)' % n, ATOM, ('m', n, n), lambda env, n=n: torch.eye(self.dimval[n], dtype=torch.float64))
            return self.add(self.mul(a, self.transpose(a)), eye)
        if ch < 0.8:
            g = self.gen(('m', n, n), d - 1)
            eye = Node('eye(%s)' % n, ATOM, ('m', n, n), lambda env, n=n: torch.eye(self.dimval[n], dtype=torch.float64))
            return self.add(g, self.mul(self.lit('3'), eye))
        return self.gen(('m', n, n), d - 1)

    def any_nonscalar(self):
        ch = self.r.random()
        if ch < 0.35:
            return ('c', self.dim())
        if ch < 0.45:
            return ('r', self.dim())
        r, c = self.dim(), self.dim()
        if r == '1' and c == '1':
            c = self.r.choice(self.named)
        return ('m', r, c)

    def gen(self, shape, d):
        r = self.r
        if d <= 0 or r.random() < 0.1:
            return self.leaf(shape)
        if r.random() < 0.12:
            return self.let(self.gen(shape, d - 1))
        k = shape[0]
        rules = ['ew', 'ew', 'dom', 'add', 'add', 'neg', 'had', 'div', 'pow']
        if k != 's':
            rules += ['scale', 'scale', 'sbcast', 'sdiv']
            if '1' not in dims(shape)[:1] and not (k == 'm' and '1' in dims(shape)):
                rules += ['const']  # vector(c)/matrix(c) beside a 1-sized dim is refused (finding 1)
        if k == 'm':
            rr, cc = shape[1], shape[2]
            rules += ['mm', 'mm', 'mm', 'outer', 'tr', 'expand', 'expand', 'softmax']
            if rr == cc:
                rules += ['mpow', 'inv', 'diagv', 'eye']
        if k == 'c':
            rules += ['mv', 'mv', 'tr', 'rsum', 'rsum', 'softmaxv', 'diagm', 'vdim']
        if k == 'r':
            rules += ['vm', 'vm', 'tr', 'csum', 'csum', 'vdim']
        if k == 's':
            rules += ['red', 'red', 'red', 'trace', 'det', 'logdet', 'dot', 'inner', 'quad', 'spow', 'sdivs', 'vdims']
        rule = r.choice(rules)
        return getattr(self, 'r_' + rule)(shape, d)

    # ---- rules
    def r_ew(self, shape, d):
        f = self.r.choice(list(FREE))
        g = self.gen(shape, d - 1)
        fn = FREE[f]
        return self.call(f, [g], shape, lambda env: fn(g.fn(env)))

    def r_dom(self, shape, d):
        if self.r.random() < 0.5:
            f = self.r.choice(list(POSF))
            g = self.pos(shape, d - 1)
            fn = POSF[f]
        else:
            f = self.r.choice(list(UNITF))
            g = self.unit(shape, d - 1)
            fn = UNITF[f]
        return self.call(f, [g], shape, lambda env: fn(g.fn(env)))

    def r_add(self, shape, d):
        return self.add(self.gen(shape, d - 1), self.gen(shape, d - 1), sub=self.r.random() < 0.5)

    def r_neg(self, shape, d):
        return self.neg(self.gen(shape, d - 1))

    def r_had(self, shape, d):
        return self.had(self.gen(shape, d - 1), self.gen(shape, d - 1))

    def r_div(self, shape, d):
        if shape[0] == 's' and self.r.random() < 0.5:
            return self.sdiv(self.gen(shape, d - 1), self.pos(shape, d - 1))
        return self.had(self.gen(shape, d - 1), self.pos(shape, d - 1), './')

    def r_pow(self, shape, d):
        op = '^' if shape[0] == 's' else '.^'
        if self.r.random() < 0.5:
            return self.pow_(self.gen(shape, d - 1), self.lit(self.r.choice(['2', '3'])), op)
        ch = self.r.random()
        if ch < 0.4:
            e = self.lit(self.r.choice(['0.5', '1.5', '2.5']))
        elif ch < 0.6:
            e = self.neg(self.lit(self.r.choice(['1', '0.5', '2'])))
        else:
            e = self.gen(('s',), d - 2)
            if self.r.random() < 0.5:
                e = self.call('tanh', [e], ('s',), lambda env, e=e: torch.tanh(e.fn(env)))
        return self.pow_(self.pos(shape, d - 1), e, op)

    def r_scale(self, shape, d):
        s = self.gen(('s',), d - 1)
        g = self.gen(shape, d - 1)
        if self.r.random() < 0.5:
            return self.mul(s, g)
        return self.mul(g, s)

    def r_sdiv(self, shape, d):
        return self.sdiv(self.gen(shape, d - 1), self.pos(('s',), d - 1))

    def r_sdivs(self, shape, d):
        return self.sdiv(self.gen(shape, d - 1), self.pos(('s',), d - 1))

    def r_sbcast(self, shape, d):
        s = self.gen(('s',), d - 1)
        g = self.gen(shape, d - 1)
        op = self.r.choice(['+', '-', '.*'])
        if op == '.*':
            return self.had(s, g) if self.r.random() < 0.5 else self.had(g, s)
        return self.add(s, g, op == '-') if self.r.random() < 0.5 else self.add(g, s, op == '-')

    def r_const(self, shape, d):
        g = self.gen(shape, d - 1)
        c = self.mkconst(shape, self.r.choice(['1', '2', '0.5']))
        ch = self.r.random()
        if ch < 0.4:
            return self.add(g, c)
        if ch < 0.7:
            return self.had(c, g)
        return self.add(c, g, sub=True)

    def r_mm(self, shape, d):
        k = self.dim()
        a = self.gen(('m', shape[1], k), d - 1) if not (shape[1] == '1' and k == '1') else self.gen(('s',), d - 1)
        if a.shape[0] == 's':
            return self.mul(a, self.gen(shape, d - 1))
        b = self.gen(('m', k, shape[2]), d - 1) if not (k == '1' and shape[2] == '1') else None
        if b is None:
            return self.mul(self.gen(shape, d - 1), self.gen(('s',), d - 1))
        return self.mul(a, b)

    def r_outer(self, shape, d):
        a = self.gen(('c', shape[1]), d - 1)
        b = self.gen(('r', shape[2]), d - 1)
        return self.mul(a, b)

    def r_tr(self, shape, d):
        return self.transpose(self.gen(T(shape), d - 1))

    def r_expand(self, shape, d):
        g = self.gen(shape, d - 1)
        v = self.gen(self.r.choice([('c', shape[1]), ('r', shape[2])]), d - 1)
        op = self.r.choice(['+', '-', '.*', './'])
        if op == './':
            v = self.pos(v.shape, d - 1)
            return self.had(g, v, './')
        if op == '.*':
            return self.had(v, g) if self.r.random() < 0.5 else self.had(g, v)
        return self.add(g, v, op == '-') if self.r.random() < 0.5 else self.add(v, g, op == '-')

    def r_softmax(self, shape, d):
        g = self.gen(shape, d - 1)
        dd = self.r.choice([1, 2])
        return self.call('softmax', [g, str(dd)], shape, lambda env: torch.softmax(as2d(g.fn(env)), dd - 1))

    def r_mpow(self, shape, d):
        g = self.gen(shape, d - 1)
        kk = self.r.choice([1, 2, 2, 3, 4, 5])
        s = wrap(g, POST) + ' ^ ' + str(kk)
        return Node(s, POW, shape, lambda env: torch.linalg.matrix_power(as2d(g.fn(env)), kk))

    def r_inv(self, shape, d):
        g = self.sqwell(shape[1], d)
        return self.call('inv', [g], shape, lambda env: torch.linalg.inv(as2d(g.fn(env))))

    def r_diagv(self, shape, d):
        g = self.gen(('c', shape[1]), d - 1)
        if dims(g.shape) == ('1', '1'):
            return self.mul(self.lit('1'), g)  # gradgen types any 1x1 operand as a scalar; diag(scalar) is refused (finding 2)
        return self.call('diag', [g], shape, lambda env: torch.diag(g.fn(env).reshape(-1)))

    def r_eye(self, shape, d):
        n = shape[1]
        eye = Node('eye(%s)' % n, ATOM, shape, lambda env, n=n: torch.eye(self.dimval[n], dtype=torch.float64))
        return self.add(self.gen(shape, d - 1), self.mul(self.gen(('s',), d - 1), eye), self.r.random() < 0.3)

    def r_mv(self, shape, d):
        k = self.dim()
        if shape[1] == '1' and k == '1':
            k = self.r.choice(self.named + ['2'])
        a = self.gen(('m', shape[1], k), d - 1)
        b = self.gen(('c', k), d - 1)
        return self.mul(a, b)

    def r_vm(self, shape, d):
        k = self.dim()
        if shape[1] == '1' and k == '1':
            k = self.r.choice(self.named + ['2'])
        a = self.gen(('r', k), d - 1)
        b = self.gen(('m', k, shape[1]), d - 1)
        return self.mul(a, b)

    def r_rsum(self, shape, d):
        k = self.dim()
        if shape[1] == '1' and k == '1':
            k = '2'
        g = self.gen(('m', shape[1], k), d - 1)
        f = self.r.choice(['sum', 'mean', 'logsumexp'])
        if f == 'sum':
            fn = lambda env: as2d(g.fn(env)).sum(1, keepdim=True)
        elif f == 'mean':
            fn = lambda env: as2d(g.fn(env)).mean(1, keepdim=True)
        else:
            fn = lambda env: torch.logsumexp(as2d(g.fn(env)), 1, keepdim=True)
        return self.call(f, [g, '2'], shape, fn)

    def r_csum(self, shape, d):
        k = self.dim()
        if shape[1] == '1' and k == '1':
            k = '2'
        g = self.gen(('m', k, shape[1]), d - 1)
        f = self.r.choice(['sum', 'mean', 'logsumexp'])
        if f == 'sum':
            fn = lambda env: as2d(g.fn(env)).sum(0, keepdim=True)
        elif f == 'mean':
            fn = lambda env: as2d(g.fn(env)).mean(0, keepdim=True)
        else:
            fn = lambda env: torch.logsumexp(as2d(g.fn(env)), 0, keepdim=True)
        return self.call(f, [g, '1'], shape, fn)

    def r_vdim(self, shape, d):
        # sum/mean/logsumexp/softmax of a vector along the dimension it has: shape kept
        g = self.gen(shape, d - 1)
        dd = '2' if shape[0] == 'c' else '1'
        ax = 1 if shape[0] == 'c' else 0
        f = self.r.choice(['sum', 'mean', 'logsumexp', 'softmax', 'softmax_other'])
        if f == 'softmax_other':  # softmax across the length-1 dimension: all ones
            dd2 = '1' if dd == '2' else '2'
            return self.call('softmax', [g, dd2], shape, lambda env: torch.softmax(as2d(g.fn(env)), 1 - ax))
        fns = {'sum': lambda x: x.sum(ax, keepdim=True), 'mean': lambda x: x.mean(ax, keepdim=True),
               'logsumexp': lambda x: torch.logsumexp(x, ax, keepdim=True), 'softmax': lambda x: torch.softmax(x, ax)}
        fn = fns[f]
        return self.call(f, [g, dd], shape, lambda env: fn(as2d(g.fn(env))))

    def r_vdims(self, shape, d):
        # sum/mean/logsumexp of a vector along its length, with the dimension given: a scalar
        if self.r.random() < 0.5:
            g = self.gen(('c', self.dim()), d - 1)
            dd, ax = '1', 0
        else:
            g = self.gen(('r', self.dim()), d - 1)
            dd, ax = '2', 1
        f = self.r.choice(['sum', 'mean', 'logsumexp'])
        fns = {'sum': lambda x: x.sum(), 'mean': lambda x: x.mean(),
               'logsumexp': lambda x: torch.logsumexp(x.reshape(-1), 0)}
        fn = fns[f]
        return self.call(f, [g, dd], shape, lambda env: fn(as2d(g.fn(env))))

    def r_softmaxv(self, shape, d):
        g = self.gen(shape, d - 1)
        return self.call('softmax', [g], shape, lambda env: torch.softmax(as2d(g.fn(env)), 0))

    def r_diagm(self, shape, d):
        g = self.gen(('m', shape[1], shape[1]), d - 1)
        if dims(g.shape) == ('1', '1'):
            return self.mul(self.lit('1'), g)
        return self.call('diag', [g], shape, lambda env: torch.diagonal(as2d(g.fn(env))).reshape(-1, 1))

    def r_red(self, shape, d):
        sh = self.any_nonscalar()
        g = self.gen(sh, d - 1)
        f = self.r.choice(['sum', 'mean', 'norm1', 'norm2', 'sumsq', 'logsumexp'])
        fns = {
            'sum': lambda x: x.sum(), 'mean': lambda x: x.mean(), 'norm1': lambda x: x.abs().sum(),
            'norm2': norm2t, 'sumsq': lambda x: (x * x).sum(),
            'logsumexp': lambda x: torch.logsumexp(x.reshape(-1), 0),
        }
        fn = fns[f]
        return self.call(f, [g], shape, lambda env: fn(g.fn(env)))

    def r_trace(self, shape, d):
        n = self.dim()
        g = self.gen(('m', n, n), d - 1)
        return self.call('tr', [g], shape, lambda env: torch.trace(as2d(g.fn(env))))

    def r_det(self, shape, d):
        n = self.dim()
        if self.big and self.dimval[n] > 4:
            return self.r_logdet(shape, d)
        g = self.sqwell(n, d) if self.r.random() < 0.5 else self.gen(('m', n, n), d - 1)
        return self.call('det', [g], shape, lambda env: torch.linalg.det(as2d(g.fn(env))))

    def r_logdet(self, shape, d):
        n = self.dim()
        g = self.sqwell(n, d)
        return self.call('logdet', [g], shape, lambda env: torch.linalg.slogdet(as2d(g.fn(env)))[1])

    def r_dot(self, shape, d):
        n = self.dim()
        a, b = self.gen(('c', n), d - 1), self.gen(('c', n), d - 1)
        return self.call('dot', [a, b], shape, lambda env: (a.fn(env) * b.fn(env)).sum())

    def r_inner(self, shape, d):
        n = self.dim()
        return self.mul(self.gen(('r', n), d - 1), self.gen(('c', n), d - 1))

    def r_quad(self, shape, d):
        n, m = self.dim(), self.dim()
        a = self.gen(('r', n), d - 1)
        if n == '1' and m == '1':
            m = self.r.choice(self.named)
        M = self.gen(('m', n, m), d - 1)
        b = self.gen(('c', m), d - 1)
        return self.mul(self.mul(a, M), b)

    def r_spow(self, shape, d):
        return self.r_pow(shape, d)


def bshape(a, b):
    """result shape of an elementwise op with broadcasting"""
    if a[0] == 's':
        return b
    if b[0] == 's':
        return a
    if a[0] == 'm' or b[0] == 'm':
        # implicit expansion: a 1-sized side takes the other's size (a 1 x c matrix is a row vector)
        ra, ca = dims(a)
        rb, cb = dims(b)
        r = rb if ra == '1' else ra
        c = cb if ca == '1' else ca
        return ('m', r, c)
    assert a == b, (a, b)
    return a


def make_function(rng, idx, big=False):
    """returns a dict describing one function"""
    mode = rng.choices(['grad', 'hess', 'order', 'vec'], weights=[30, 25, 20, 25])[0]
    g = Gen(rng, 'F%d' % idx, order_mode=(mode == 'order'), big=big)
    if mode == 'vec':
        shape = rng.choice([('c', g.dim()), ('r', g.dim()), ('m', g.dim(), g.dim()), ('m', g.dim(), g.dim())])
        if shape[0] == 'm' and shape[1] == '1' and shape[2] == '1':
            shape = ('m', shape[1], g.named[0])
    elif mode == 'order':
        shape = rng.choice([('s',), ('s',), ('c', g.dim()), ('m', g.dim(), g.dim())])
        if shape[0] == 'm' and shape[1] == '1' and shape[2] == '1':
            shape = ('m', g.named[0], g.named[0])
    else:
        shape = ('s',)
    depth = rng.choice([3, 3, 4, 4, 5])
    e = g.gen(shape, depth)
    if e.shape != ('s',) and dims(e.shape) == ('1', '1'):
        return None  # a bare vector(1)/matrix(1,1) input as F: vector or scalar?
    if e.shape == ('s',) and mode == 'vec':
        mode = 'grad'
    if mode == 'order' and 't' not in used_names(e.s, g):
        tn = g.input_node(g.t_input)
        f = rng.choice(['sin', 'exp', 'tanh'])
        ft = g.call(f, [tn], ('s',), lambda env, fn=FREE[f]: fn(env['t']))
        e = g.add(e, g.mul(ft, g.gen(shape, 2)))
    fd = dict(name='F%d' % idx, mode=mode, gen=g, expr=e, big=big)
    # which inputs are actually referenced
    used = [d for d in g.inputs if d['name'] in used_names(e.s, g)]
    # unused inputs are kept as inputs (allowed), but not in wrt
    ins = g.inputs
    fd['inputs'] = ins
    fd['shape'] = e.shape
    cand = list(used)
    if mode == 'order':
        fd['wrt'] = ['t']
        fd['order'] = rng.choice([1, 2, 2, 3, 3, 4, 5, 6, 7, 8]) if not big else rng.choice([1, 2, 3])
        if e.shape[0] == 's' and rng.random() < 0.3:
            fd['hessian'] = True
    elif mode == 'vec':
        cand = [d for d in cand if d['kind'] not in ('symmetric', 'spd')]
        if not cand:
            return None
        k = rng.randint(1, len(cand))
        fd['wrt'] = [d['name'] for d in rng.sample(cand, k)]
        if rng.random() < 0.15 and all(d['kind'] not in ('symmetric', 'spd') for d in ins) and len(cand) == len(ins):
            fd['wrt_omitted'] = True
            fd['wrt'] = [d['name'] for d in ins]
    else:
        if not cand:
            return None
        k = rng.randint(1, len(cand))
        fd['wrt'] = [d['name'] for d in rng.sample(cand, k)]
        if rng.random() < 0.15 and len(cand) == len(ins):
            fd['wrt_omitted'] = True
            fd['wrt'] = [d['name'] for d in ins]
        if mode == 'hess':
            fd['hessian'] = True
    if e.shape == ('s',) and e.s.replace('.', '').replace('e-', '').isdigit():
        return None
    return fd


def used_names(s, g):
    """the names (inputs, lets, dimensions) that expression text s refers to, lets expanded"""
    toks = set(re.findall(r'[A-Za-z_][A-Za-z_0-9]*', s))
    # expand lets
    changed = True
    letmap = dict((nm, node.s) for nm, node in g.lets)
    while changed:
        changed = False
        for t in list(toks):
            if t in letmap:
                toks |= set(re.findall(r'[A-Za-z_][A-Za-z_0-9]*', letmap.pop(t)))
                changed = True
    return toks


# ---------------------------------------------------------------------- motifs
# Fixed-form functions that aim at gradgen's structured code paths (Syrk/sandwich Hessians,
# rank-one and identity Hessian terms, structured Jacobians, Taylor mode curves).
def make_motif(rng, idx, big=False):
    g = Gen(rng, 'F%d' % idx, big=big)
    n, d = g.named[0], (g.named[1] if len(g.named) > 1 else rng.choice(['2', '3']))
    I = g.input_node
    NI = lambda shape, kind=None, pos=False: I(g.new_input(shape, pos=pos, kind=kind))
    fn1 = lambda f, x: g.call(f, [x], x.shape, (lambda env, F=FREE.get(f, POSF.get(f)): F(x.fn(env))))
    lit = g.lit
    which = rng.choice(['logreg', 'mlp', 'softreg', 'gauss', 'quad', 'jac', 'jac', 'jac', 'det', 'curve', 'curve', 'sandwich',
                        'hessT', 'hessT', 'hessT'])
    fd = dict(name='F%d' % idx, gen=g, big=big, motif=which)
    if which == 'logreg':
        X, y, w = NI(('m', n, d)), NI(('c', n)), NI(('c', d))
        lam = NI(('s',), pos=True)
        f = rng.choice(['softplus', 'sigmoid', 'tanh', 'exp', 'sin', 'softplus'])
        z = g.mul(X, w)
        if rng.random() < 0.5:
            z = g.let(z)
        inner = fn1(f, g.neg(g.had(y, z)))
        core = g.call('sum', [inner], ('s',), lambda env: inner.fn(env).sum())
        reg = g.mul(g.sdiv(lam, lit('2')), g.mul(g.transpose(w), w))
        e = g.add(core, reg)
        fd.update(mode='hess', hessian=True, wrt=rng.sample([w.s, lam.s, y.s], rng.randint(1, 3)))
        if rng.random() < 0.3:
            fd['wrt'].append(X.s)
    elif which == 'hessT':
        # dense Hessians read off the HVP's structure, with transposes in the sandwich
        X, w, v, b, y = NI(('m', d, n)), NI(('c', d)), NI(('c', n)), NI(('c', n)), NI(('c', n))
        s_ = NI(('s',))
        f = rng.choice(['softplus', 'exp', 'tanh', 'sin', 'sigmoid'])
        forms = []
        z = g.mul(g.transpose(X), w)                       # X' w
        forms.append(g.call('sum', [fn1(f, z)], ('s',), (lambda q: lambda env: FREE[f](q.fn(env)).sum())(z)))
        z2 = g.transpose(g.mul(g.transpose(w), X))         # (w' X)'
        forms.append(g.call('sum', [fn1(f, g.had(y, z2))], ('s',), (lambda q: lambda env: FREE[f](y.fn(env) * q.fn(env)).sum())(z2)))
        forms.append(g.call('sumsq', [z], ('s',), (lambda q: lambda env: (q.fn(env) ** 2).sum())(z)))
        A = NI(('m', d, d))
        forms.append(g.mul(g.mul(g.transpose(w), g.transpose(A)), w))
        z3 = g.add(z, b)
        forms.append(g.call('sum', [fn1(f, z3)], ('s',), (lambda q: lambda env: FREE[f](q.fn(env)).sum())(z3)))
        forms.append(g.mul(s_, g.mul(g.transpose(v), v)))
        forms.append(g.mul(g.mul(g.transpose(v), g.call('diag', [y], ('m', n, n), lambda env: torch.diag(y.fn(env).reshape(-1)))), v))
        z4 = g.mul(X, v)
        forms.append(g.call('dot', [fn1(f, z4), w], ('s',), (lambda q: lambda env: (FREE[f](q.fn(env)) * w.fn(env)).sum())(z4)))
        rng.shuffle(forms)
        e = forms[0]
        for t in forms[1:rng.randint(1, 4)]:
            e = g.add(e, t, sub=rng.random() < 0.3)
        used = used_names(e.s, g)
        cand = [x for x in [w.s, v.s, b.s, y.s, s_.s] if x in used]
        if not cand:
            return None
        fd.update(mode='hess', hessian=True, wrt=rng.sample(cand, rng.randint(1, len(cand))))
    elif which == 'mlp':
        X = NI(('m', n, d))
        h = rng.choice(['2', '3', g.named[-1]])
        W, b, W2, Y = NI(('m', d, h)), NI(('c', h)), NI(('m', h, '2')), NI(('m', n, '2'))
        H = g.let(fn1('tanh', g.add(g.mul(X, W), g.transpose(b))))
        R = g.add(g.mul(H, W2), Y, sub=True)
        e = g.call('sum', [g.pow_(R, lit('2'), '.^')], ('s',), lambda env: (R.fn(env) ** 2).sum())
        fd.update(mode='hess', hessian=rng.random() < 0.6, wrt=rng.sample([W.s, b.s, W2.s], rng.randint(1, 3)))
    elif which == 'softreg':
        X, W, b, Y = NI(('m', n, d)), NI(('m', d, '3')), NI(('c', '3')), NI(('m', n, '3'))
        Z = g.add(g.mul(X, W), g.transpose(b))
        L = g.call('logsumexp', [Z, '2'], ('c', n), lambda env: torch.logsumexp(Z.fn(env), 1, keepdim=True))
        s1 = g.call('sum', [L], ('s',), lambda env: L.fn(env).sum())
        P = g.had(Y, Z)
        s2 = g.call('sum', [P], ('s',), lambda env: P.fn(env).sum())
        e = g.add(s1, s2, sub=True)
        fd.update(mode='hess', hessian=True, wrt=rng.sample([W.s, b.s], rng.randint(1, 2)))
    elif which == 'gauss':
        S = NI(('m', n, n), kind='spd')
        C = NI(('m', n, n), kind=rng.choice(['matrix', 'spd', 'symmetric']))
        iv = g.call('inv', [S], S.shape, lambda env: torch.linalg.inv(S.fn(env)))
        M = g.mul(iv, C)
        tr_ = g.call('tr', [M], ('s',), lambda env: torch.trace(M.fn(env)))
        ld = g.call('logdet', [S], ('s',), lambda env: torch.linalg.slogdet(S.fn(env))[1])
        e = g.add(ld, tr_)
        if rng.random() < 0.5:
            x = NI(('c', n))
            q = g.mul(g.mul(g.transpose(x), iv), x)
            e = g.add(e, q)
        fd.update(mode='hess', hessian=True, wrt=[S.s] + ([C.s] if rng.random() < 0.3 else []))
    elif which == 'quad':
        w = NI(('c', n))
        A = NI(('m', n, n), kind=rng.choice(['matrix', 'symmetric', 'spd']))
        a = NI(('c', n))
        c = NI(('s',))
        B = NI(('m', d, n))
        terms = [g.mul(g.mul(g.transpose(w), A), w),
                 g.pow_(g.mul(g.transpose(a), w), lit('2'), '^'),
                 g.mul(c, g.mul(g.transpose(w), w)),
                 g.call('sumsq', [g.mul(B, w)], ('s',), (lambda BW: lambda env: (BW.fn(env) ** 2).sum())(g.mul(B, w))),
                 g.mul(g.pow_(c, lit('2'), '^'), g.call('sum', [w], ('s',), lambda env: w.fn(env).sum())),
                 g.mul(lit('3'), g.call('dot', [w, w], ('s',), lambda env: (w.fn(env) ** 2).sum())),
                 g.call('sum', [fn1('exp', g.mul(B, w))], ('s',), (lambda BW: lambda env: torch.exp(BW.fn(env)).sum())(g.mul(B, w)))]
        rng.shuffle(terms)
        k = rng.randint(1, len(terms))
        e = terms[0]
        for t in terms[1:k]:
            e = g.add(e, t, sub=rng.random() < 0.3)
        used = used_names(e.s, g)
        cand = [x for x in [w.s, c.s, a.s] if x in used]
        if not cand:
            return None
        fd.update(mode='hess', hessian=True, wrt=rng.sample(cand, rng.randint(1, len(cand))))
    elif which == 'jac':
        m = rng.choice([n, d, '2'])
        form = rng.choice(['AXB', 'inv', 'Axb', 'xx', 'expX', 'Xt', 'trA', 'AexpX', 'pow', 'diag', 'softmax', 'XXt', 'XtAX', 'invAX'])
        if form == 'AXB':
            A, X, B = NI(('m', m, n)), NI(('m', n, d)), NI(('m', d, '2'))
            e = g.mul(g.mul(A, X), B)
            ws = [A.s, X.s, B.s]
        elif form == 'inv':
            X = NI(('m', n, n))
            Xw = g.add(X, g.mul(lit('3'), Node('eye(%s)' % n, ATOM, X.shape, lambda env, n=n: torch.eye(g.dimval[n]))))
            e = g.call('inv', [X], X.shape, lambda env: torch.linalg.inv(X.fn(env)))
            ws = [X.s]
        elif form == 'Axb':
            A, x, b = NI(('m', m, n)), NI(('c', n)), NI(('c', m))
            e = g.add(g.mul(A, x), b)
            ws = [A.s, x.s, b.s]
        elif form == 'xx':
            x = NI(('c', n))
            e = g.mul(x, g.transpose(x))
            ws = [x.s]
        elif form == 'expX':
            X = NI(('m', n, d))
            e = g.had(fn1('exp', X), X)
            ws = [X.s]
        elif form == 'Xt':
            X = NI(('m', n, d))
            e = g.transpose(X)
            ws = [X.s]
        elif form == 'trA':
            X, A = NI(('m', n, n)), NI(('m', m, d))
            e = g.mul(g.call('tr', [X], ('s',), lambda env: torch.trace(X.fn(env))), A)
            ws = [X.s, A.s]
        elif form == 'AexpX':
            A, X = NI(('m', m, n)), NI(('m', n, d))
            e = g.mul(A, fn1('exp', X))
            ws = [A.s, X.s]
        elif form == 'pow':
            X = NI(('m', n, n))
            k = rng.choice([2, 3, 4, 5, 8])
            e = Node(X.s + ' ^ %d' % k, POW, X.shape, lambda env: torch.linalg.matrix_power(X.fn(env), k))
            ws = [X.s]
        elif form == 'diag':
            x = NI(('c', n))
            e = g.call('diag', [x], ('m', n, n), lambda env: torch.diag(x.fn(env).reshape(-1)))
            ws = [x.s]
        elif form == 'softmax':
            X = NI(('m', n, d))
            dd = rng.choice([1, 2])
            e = g.call('softmax', [X, str(dd)], X.shape, lambda env: torch.softmax(X.fn(env), dd - 1))
            ws = [X.s]
        elif form == 'XXt':
            X = NI(('m', n, d))
            e = g.mul(X, g.transpose(X))
            ws = [X.s]
        elif form == 'XtAX':
            X, A = NI(('m', n, d)), NI(('m', n, n), kind=rng.choice(['matrix', 'symmetric']))
            e = g.mul(g.mul(g.transpose(X), A), X)
            ws = [X.s] + ([A.s] if A.kind == 'matrix' else [])
        else:
            A, X = NI(('m', m, n)), NI(('m', n, n), kind='matrix')
            iv = g.call('inv', [X], X.shape, lambda env: torch.linalg.inv(X.fn(env)))
            e = g.mul(A, iv)
            ws = [A.s, X.s]
        if dims(e.shape) == ('1', '1') or e.shape == ('s',):
            return None
        fd.update(mode='vec', wrt=rng.sample(ws, rng.randint(1, len(ws))), motif=which + ':' + form)
    elif which == 'det':
        A = NI(('m', n, n))
        form = rng.choice(['detA', 'detXDX', 'detcurve'])
        if form == 'detA':
            e = g.call('det', [A], ('s',), lambda env: torch.linalg.det(A.fn(env)))
            fd.update(mode='hess', hessian=True, wrt=[A.s])
        elif form == 'detXDX':
            X, w = NI(('m', n, d)), NI(('c', d))
            M = g.mul(g.mul(X, g.call('diag', [w], ('m', d, d), lambda env: torch.diag(w.fn(env).reshape(-1)))), g.transpose(X))
            e = g.call('det', [M], ('s',), lambda env: torch.linalg.det(M.fn(env)))
            fd.update(mode='hess', hessian=True, wrt=[w.s] + ([X.s] if rng.random() < 0.3 else []))
        else:
            g.t_input = g.new_input(('s',), name='t')
            t = I(g.t_input)
            B = NI(('m', n, n))
            M = g.add(A, g.mul(t, B))
            e = g.call('det', [M], ('s',), lambda env: torch.linalg.det(M.fn(env)))
            fd.update(mode='order', order=rng.choice([1, 2, 3, 4]), wrt=['t'], hessian=rng.random() < 0.5)
        fd['motif'] = 'det:' + form
    elif which in ('curve', 'sandwich'):
        g.t_input = g.new_input(('s',), name='t')
        t = I(g.t_input)
        form = rng.choice(['poly', 'inv', 'logdet', 'expv', 'sandwich', 'softmax', 'lse'])
        A, B = NI(('m', n, n)), NI(('m', n, n))
        if form == 'poly':
            e = g.add(g.mul(g.pow_(t, lit('2'), '^'), A), g.mul(g.mul(fn1('sin', t), B), B))
        elif form == 'inv':
            M = g.add(g.add(A, g.mul(lit('3'), Node('eye(%s)' % n, ATOM, A.shape, lambda env, n=n: torch.eye(g.dimval[n])))), g.mul(t, B))
            e = g.call('inv', [M], A.shape, lambda env: torch.linalg.inv(M.fn(env)))
        elif form == 'logdet':
            P = NI(('m', n, n), kind='spd')
            S = NI(('m', n, n), kind='symmetric')
            M = g.add(P, g.mul(g.mul(lit('0.2'), fn1('sin', t)), S))
            e = g.call('logdet', [M], ('s',), lambda env: torch.linalg.slogdet(M.fn(env))[1])
        elif form == 'expv':
            x = NI(('c', n))
            e = g.had(fn1('exp', g.mul(t, x)), fn1('cos', g.mul(A, x)))
            e = g.mul(A, e)
        elif form == 'sandwich':
            X = NI(('m', n, d))
            C = NI(('m', d, d))
            M = g.add(X, g.mul(t, NI(('m', n, d))))
            e = g.mul(g.mul(M, C), g.transpose(M))
        elif form == 'softmax':
            X = NI(('m', n, d))
            e = g.call('softmax', [g.mul(t, X), '2'], X.shape, (lambda tX: lambda env: torch.softmax(tX.fn(env), 1))(g.mul(t, X)))
        else:
            X = NI(('m', n, d))
            tX = g.mul(t, X)
            e = g.call('logsumexp', [tX], ('s',), lambda env: torch.logsumexp(tX.fn(env).reshape(-1), 0))
        if dims(e.shape) == ('1', '1') and e.shape != ('s',):
            return None
        fd.update(mode='order', order=rng.choice([1, 2, 3, 4, 5, 6]), wrt=['t'])
        if e.shape == ('s',) and rng.random() < 0.5:
            fd['hessian'] = True
        fd['motif'] = 'curve:' + form
    fd['expr'] = e
    fd['inputs'] = g.inputs
    fd['shape'] = e.shape
    if e.shape != ('s',) and dims(e.shape) == ('1', '1'):
        return None
    if e.shape == ('s',) and fd['mode'] == 'vec':
        fd['mode'] = 'grad'
    return fd
