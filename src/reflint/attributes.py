"""The CRF's attributes for one reference string, built fast for tagging.

``AttributeBuilder.build`` gives exactly ``crf.to_crfsuite(crf.sequence_features(...))`` (a
test holds them equal), in the same order, so the tagger adds the same weights in the same
order and the labels cannot change. What depends on a token's text alone (its own
attributes, the ones it lends its neighbours at -2, -1, +1 and +2) is built once per
distinct token string, in a cache of at most 30,000 tokens (about 40 MB; 4,000 references
hold some 26,000 distinct tokens), emptied when full. For the tagger the builder also
leaves out the attributes the model does not know (crfsuite skips them itself) and hands
over UTF-8 bytes, which the binding would otherwise encode attribute by attribute.
"""

from __future__ import annotations

from reflint.crf import _SEPARATORS, _is_initial, _token_features

_NEIGHBOUR_KEYS = ("year", "lex", "punct", "month")
_OFFSETS = (-2, -1, 1, 2)


class AttributeBuilder:
    """Attribute lists for the tagger; ``known`` (names the model knows) filters them,
    ``as_bytes`` gives UTF-8 bytes instead of str."""

    def __init__(self, known: set | frozenset | None = None, as_bytes: bool = False, limit: int = 30_000):
        self.known = known
        self.limit = limit
        self.cache: dict[str, tuple] = {}
        enc = self.enc = (lambda s: s.encode("utf-8")) if as_bytes else (lambda s: s)
        flags = ("init", "sp_before", "sp_after", "seen_year")
        self.flag = {name: {v: enc(f"{name}={v}") for v in (True, False)} for name in flags}
        self.pos = [enc(f"pos={k}") for k in range(10)]
        self.block = [enc(f"block={k}") for k in range(6)]
        self.paren = [enc(f"paren={k}") for k in range(2)]
        self.quote = [enc(f"quote={k}") for k in range(2)]
        self.edge = tuple([enc(f"{d}w=<edge>")] for d in _OFFSETS)
        self.edge_word = enc("<edge>")
        self.next_edge = (enc("next_sep=<edge>"), enc("next_sep_dist=-"))
        self.prev_edge = (enc("prev_sep=<edge>"), enc("prev_sep_dist=-"))
        self.next_dist = [enc(f"next_sep_dist={k}") for k in range(6)]
        self.prev_dist = [enc(f"prev_sep_dist={k}") for k in range(6)]
        self.left = b"-1w|0w=%b|%b" if as_bytes else "-1w|0w=%s|%s"
        self.right = b"0w|1w=%b|%b" if as_bytes else "0w|1w=%s|%s"

    def _keep(self, attrs: list[str]) -> list:
        attrs = [self.enc(a) for a in attrs]
        return attrs if self.known is None else [a for a in attrs if a in self.known]

    def token(self, tok: str) -> tuple:
        """(w, own attributes, attributes lent at offsets -2, -1, +1, +2, is a year, suffix,
        next_sep / prev_sep attributes naming it) for one token string, built once."""
        cached = self.cache.get(tok)
        if cached is None:
            base = _token_features(tok)
            own = [f"0{k}={v}" for k, v in base.items()]
            lent = []
            for d in _OFFSETS:
                attrs = [f"{d}w={base['w']}", f"{d}shape={base['shape']}"]
                attrs += [f"{d}{k}={base[k]}" for k in _NEIGHBOUR_KEYS if k in base]
                lent.append(self._keep(attrs))
            suffix = [f"suffix={tok[-3:].lower()}"] if len(tok) >= 5 and tok.isalpha() else []
            cached = (
                self.enc(base["w"]),
                self._keep(own),
                lent,
                "year" in base,
                self._keep(suffix),
                self.enc(f"next_sep={tok}"),
                self.enc(f"prev_sep={tok}"),
            )
            if len(self.cache) >= self.limit:  # a long audit meets many one-off tokens
                self.cache.clear()
            self.cache[tok] = cached
        return cached

    def build(self, text: str, tokens: list[tuple[str, int, int]]) -> list[list]:
        """One attribute list per token; see the module docstring."""
        n = len(tokens)
        known = self.known
        toks = [t for t, _, _ in tokens]
        parts = [self.token(t) for t in toks]
        words = [p[0] for p in parts]
        seps = [i for i, t in enumerate(toks) if t in _SEPARATORS]
        nxt_sep: list[int | None] = [None] * n
        prv_sep: list[int | None] = [None] * n
        j = len(seps) - 1
        for i in range(n - 1, -1, -1):
            while j >= 0 and seps[j] > i:
                j -= 1
            if j + 1 < len(seps):
                nxt_sep[i] = seps[j + 1]
            prv_sep[i] = seps[j] if j >= 0 and seps[j] < i else (seps[j - 1] if j >= 1 else None)
        init, sp_before_, sp_after_, seen_year_ = (self.flag[k] for k in ("init", "sp_before", "sp_after", "seen_year"))
        pos_, block_, paren_, quote_ = self.pos, self.block, self.paren, self.quote
        edge, left_fmt, right_fmt = self.edge, self.left, self.right
        next_dist, prev_dist = self.next_dist, self.prev_dist
        size = len(text)
        out = []
        block = paren = quote = 0
        seen_year = False
        prev_w = self.edge_word
        no_left = no_right = ()
        for i, (tok, start, end) in enumerate(tokens):
            nxt = toks[i + 1] if i + 1 < n else ""
            w, own, _, is_year, suffix, _, _ = parts[i]
            left = left_fmt % (prev_w, w)
            right = right_fmt % (w, words[i + 1] if i + 1 < n else self.edge_word)
            sp_after = end < size and text[end].isspace()
            k, m = nxt_sep[i], prv_sep[i]
            attrs = [
                *own,
                *(parts[i - 2][2][0] if i >= 2 else edge[0]),
                *(parts[i - 1][2][1] if i >= 1 else edge[1]),
                *(parts[i + 1][2][2] if i + 1 < n else edge[2]),
                *(parts[i + 2][2][3] if i + 2 < n else edge[3]),
                *((left,) if known is None or left in known else no_left),
                *((right,) if known is None or right in known else no_right),
                init[_is_initial(tok, nxt)],
                sp_before_[start > 0 and text[start - 1].isspace()],
                sp_after_[sp_after],
                pos_[10 * i // n],
                block_[block],
                paren_[paren > 0],
                quote_[quote],
                seen_year_[seen_year],
                *(self.next_edge if k is None else (parts[k][5], next_dist[k - i if k - i < 5 else 5])),
                *(self.prev_edge if m is None else (parts[m][6], prev_dist[i - m if i - m < 5 else 5])),
                *suffix,
            ]
            out.append(attrs)
            prev_w = w
            if tok in ".?!" and sp_after and block < 5 and not _is_initial(toks[i - 1] if i else "", tok):
                block += 1  # only min(block, 5) is ever read
            if tok in "([":
                paren += 1
            elif tok in ")]" and paren:
                paren -= 1
            if tok in '"“”«»':
                quote = 0 if quote else 1
            seen_year = seen_year or is_year
        return out


_PLAIN = AttributeBuilder()


def sequence_attributes(text: str, tokens: list[tuple[str, int, int]]) -> list[list[str]]:
    """``to_crfsuite(sequence_features(text, tokens))``, built from per-token parts."""
    return _PLAIN.build(text, tokens)
