"""The CRF's tagger, in numpy, from the weights of the crfsuite model file.

crfsuite's own tagger wants every token's attributes as strings (some forty per token),
which cost more to build in Python than the tagging itself. The score of a label at a
token is a sum of weights, and most terms depend on one token's text alone: its own
attributes and those it lends the tokens up to two away. Tokens whose attributes carry
the same weights (most are words the model does not know) share one row of a table, summed
once; a reference's scores are then a few array lookups, and Viterbi runs over a batch of
references at once. The attributes are those of ``reflint.crf.sequence_features``;
``tests/test_parse.py`` holds the labels equal to crfsuite's on the test corpus.

The weights are the model file's own float64 numbers (``reflint.crfsuite_model``); the 4,080
strings of ``benchmarks/parse_speed.py`` get exactly crfsuite's labels.
"""

from __future__ import annotations

from itertools import chain

import numpy as np

from reflint.crf import _SEPARATORS, token_class
from reflint.crfsuite_model import Model

_NEIGHBOUR_KEYS = ("year", "lex", "punct", "month")
_OFFSETS = (-2, -1, 1, 2)
_EDGE = "<edge>"
BATCH = 64  # strings decoded together: enough to share each array operation's cost
TOKEN_LIMIT = 50_000  # distinct token strings remembered (each names a row of the token table)
_COLUMNS = 7  # own, lent to -2, -1, +1, +2, as the next separator, as the previous one
# what the sequence-level attributes need to know of a token, one column each
_INITIAL, _MAYBE_INITIAL, _SEPARATOR, _STOP, _OPEN, _CLOSE, _QUOTE, _YEAR, _INITIAL_NEXT = range(9)
# rows of the per-position table: init, sp_before, sp_after, seen_year (2 each), pos (10),
# block (6), paren (2), quote (2), next_sep_dist (6), prev_sep_dist (6), no separator after/before
_POS, _BLOCK, _PAREN, _QUOTE_ROW, _NEXT_DIST, _PREV_DIST, _NO_NEXT, _NO_PREV = 8, 18, 24, 26, 28, 34, 40, 41


def _token_kind(tok: str) -> list[int]:
    """The ``_INITIAL`` .. ``_INITIAL_NEXT`` columns of one token (see ``crf._is_initial``);
    ``_YEAR`` comes from its features and is filled in by the caller."""
    upper = tok.isalpha() and tok.isupper()
    return [
        int(len(tok) == 1 and upper),
        int(2 <= len(tok) <= 3 and upper),
        int(tok in _SEPARATORS),
        int(tok in (".", "?", "!")),
        int(tok in ("(", "[")),
        int(tok in (")", "]")),
        int(tok in ('"', "“", "”", "«", "»")),
        0,
        int(tok in (",", ".", ";")),  # makes a 2-3 letter capital run before it an initial
    ]


class Decoder:
    """Labels for tokenised reference strings, as crfsuite's tagger gives them."""

    def __init__(self, model: Model) -> None:
        self.labels = model.labels
        self._names = np.array(self.labels, dtype=object)
        n = len(self.labels)
        features = model.features
        state, trans = features[features["type"] == 0], features[features["type"] == 1]
        self.transitions = np.zeros((n, n))  # [from, to]
        np.add.at(self.transitions, (trans["src"], trans["dst"]), trans["weight"])
        # every attribute with a weight, one row each; the last row is zeros (unknown attributes)
        used = np.unique(state["src"])
        self._row = {model.attributes[a]: k for k, a in enumerate(used.tolist())}
        self._weights = np.zeros((len(used) + 1, n))
        np.add.at(self._weights, (np.searchsorted(used, state["src"]), state["dst"]), state["weight"])
        self._unknown = len(used)
        # what a token's text alone adds, by that text: {word: [(column, weights row)]}
        self._by_word: dict[str, list[tuple[int, int]]] = {}
        self._by_suffix: dict[str, int] = {}
        self._by_token: dict[str, list[tuple[int, int]]] = {}
        columns = {"0w": 0, "-2w": 1, "-1w": 2, "1w": 3, "2w": 4, "next_sep": 5, "prev_sep": 6}
        for attr, k in self._row.items():
            name, _, value = attr.partition("=")
            if name in columns:
                into = self._by_token if name.endswith("sep") else self._by_word
                into.setdefault(value, []).append((columns[name], k))
            elif name == "suffix":
                self._by_suffix[value] = k
        # word bigrams ("-1w|0w=et|al"): words numbered, each pair a sorted integer key
        pairs = {
            side: [(a[len(side) :].split("|", 1), k) for a, k in self._row.items() if a.startswith(side)]
            for side in ("-1w|0w=", "0w|1w=")
        }
        words = sorted({w for side in pairs.values() for ws, _ in side for w in ws})
        self._pair_word = {w: k for k, w in enumerate(words)}
        self._pair_keys, self._pair_rows = {}, {}
        for side, found in pairs.items():
            keys = np.array(
                [self._pair_word[a] * len(words) + self._pair_word[b] for (a, b), _ in found], dtype=np.int64
            )
            order = np.argsort(keys)
            self._pair_keys[side], self._pair_rows[side] = keys[order], np.array([k for _, k in found])[order]
        flags = (
            [[f"{name}={v}"] for name in ("init", "sp_before", "sp_after", "seen_year") for v in (False, True)]
            + [[f"pos={k}"] for k in range(10)]
            + [[f"block={k}"] for k in range(6)]
            + [[f"paren={k}"] for k in range(2)]
            + [[f"quote={k}"] for k in range(2)]
            + [[f"next_sep_dist={k}"] for k in range(6)]
            + [[f"prev_sep_dist={k}"] for k in range(6)]
            + [["next_sep=<edge>", "next_sep_dist=-"], ["prev_sep=<edge>", "prev_sep_dist=-"]]
        )
        rows = self._sums(flags)
        # the position attributes in three tables of every combination, one lookup each:
        # init x sp_before x sp_after x seen_year; pos x block x paren x quote; the separators'
        # distances after x before (6: none)
        two = [rows[[k, k + 1]] for k in (0, 2, 4, 6)]
        self._spacing = (
            two[3][:, None, None, None]
            + two[2][None, :, None, None]
            + two[1][None, None, :, None]
            + two[0][None, None, None]
        ).reshape(-1, n)
        self._place = (
            rows[_QUOTE_ROW : _QUOTE_ROW + 2][:, None, None, None]
            + rows[_PAREN : _PAREN + 2][None, :, None, None]
            + rows[_BLOCK : _BLOCK + 6][None, None, :, None]
            + rows[_POS : _POS + 10][None, None, None]
        ).reshape(-1, n)
        after = np.concatenate([rows[_NEXT_DIST : _NEXT_DIST + 6], rows[_NO_NEXT : _NO_NEXT + 1]])
        before = np.concatenate([rows[_PREV_DIST : _PREV_DIST + 6], rows[_NO_PREV : _NO_PREV + 1]])
        self._separators = (before[:, None] + after[None]).reshape(-1, n)
        self._edge = self._sums([[], *([f"{d}w=<edge>"] for d in _OFFSETS), [], []])
        # token classes: (features but the word, length up to 4, all capitals) -> number; they
        # depend on the model alone, so they are kept for good
        self._classes: dict[tuple, int] = {}
        self._class_rows = np.zeros((0, _COLUMNS, n))  # summed weights, by class
        self._class_kinds = np.zeros((0, 9), dtype=np.int8)
        self._words_known = self._by_word.keys() | self._pair_word.keys()
        self._forget()

    def _sums(self, groups: list[list[str]]) -> np.ndarray:
        """One row per group of attributes: the sum of their weights."""
        rows = [[self._row.get(a, self._unknown) for a in attrs] or [self._unknown] for attrs in groups]
        flat = [k for r in rows for k in r]
        starts = np.cumsum([0] + [len(r) for r in rows[:-1]])
        return np.add.reduceat(self._weights[flat], starts, axis=0)

    def _forget(self) -> None:
        """Start the tables afresh (at first, and when a long audit has filled them)."""
        self._ids: dict[str, int] = {}  # token string -> its row in the tables below
        self._rows: dict[tuple, int] = {}  # what makes two tokens score alike -> that row
        self._table = self._edge[None]  # [row, column, label]: row 0 is the edge
        self._kinds = np.zeros((1, 9), dtype=np.int8)
        self._pair_ids = np.array([self._pair_word.get(_EDGE, -1)], dtype=np.int64)  # number in bigrams, or -1
        self._used = 1  # rows of the arrays in use (they grow by doubling)

    def _add_tokens(self, new: list[str]) -> None:
        """Rows for token strings not seen before. Two tokens score alike when they share
        their class (shape, punctuation, lexicon, ...) and whatever the model knows of their
        word, suffix or separator text; most tokens are words the model does not know, so
        there are far fewer rows than distinct tokens, and each is summed once."""
        by_token, by_suffix, known = self._by_token, self._by_suffix, self._words_known
        rows, classes = self._rows, self._classes
        fresh: list[tuple[int, str | None, str | None, int | None]] = []  # new rows: class, word, token, suffix
        ids = []
        for tok in new:
            w, rest = token_class(tok)
            size = len(tok)
            alpha = tok.isalpha()
            kind = (rest, size if size < 4 else 4, alpha and tok.isupper())
            word = w if w in known else None
            text = tok if tok in by_token else None
            suffix = by_suffix.get(tok[-3:].lower()) if size >= 5 and alpha else None
            k = rows.get((kind, word, text, suffix))
            if k is None:
                c = classes.get(kind)
                if c is None:
                    c = classes[kind] = self._add_class(tok, rest)
                k = rows[(kind, word, text, suffix)] = self._used + len(fresh)
                fresh.append((c, word, text, suffix))
            ids.append(k)
        self._ids.update(zip(new, ids))
        if fresh:
            self._add_rows(fresh)

    def _add_rows(self, fresh: list[tuple[int, str | None, str | None, int | None]]) -> None:
        """Append rows: each its class's sums plus the weights of its word, token and suffix."""
        taken = [c for c, _, _, _ in fresh]
        table = self._class_rows[taken]
        cells, weights = [], []
        for n, (_, word, text, suffix) in enumerate(fresh):
            weighted = (self._by_word.get(word, []) if word is not None else []) + (
                self._by_token.get(text, []) if text is not None else []
            )
            for column, k in weighted:
                cells.append((n, column))
                weights.append(k)
            if suffix is not None:
                cells.append((n, 0))  # the token's own column
                weights.append(suffix)
        if cells:
            at = np.array(cells, dtype=np.intp).T
            np.add.at(table, (at[0], at[1]), self._weights[weights])
        first, end = self._used, self._used + len(fresh)
        if end > len(self._table):  # room for twice as many, in one step
            more = 2 * end - len(self._table)
            self._table = np.concatenate([self._table, np.empty((more, *self._table.shape[1:]))])
            self._pair_ids = np.concatenate([self._pair_ids, np.empty(more, dtype=np.int64)])
            self._kinds = np.concatenate([self._kinds, np.empty((more, 9), dtype=np.int8)])
        self._table[first:end] = table
        self._kinds[first:end] = self._class_kinds[taken]
        self._pair_ids[first:end] = [
            self._pair_word.get(word, -1) if word is not None else -1 for _, word, _, _ in fresh
        ]
        self._used = end

    def _add_class(self, tok: str, rest: tuple[tuple[str, str], ...]) -> int:
        """A new class of tokens (``tok`` is one): the summed weights of its features, own and
        lent to its neighbours, and its kind; returns its number."""
        features = dict(rest)
        row = self._sums(
            [[f"0{k}={v}" for k, v in rest]]
            + [[f"{d}{k}={features[k]}" for k in ("shape", *_NEIGHBOUR_KEYS) if k in features] for d in _OFFSETS]
            + [[], []]
        )
        kind = _token_kind(tok)
        kind[_YEAR] = int("year" in features)
        self._class_rows = np.concatenate([self._class_rows, row[None]])
        self._class_kinds = np.concatenate([self._class_kinds, np.array([kind], dtype=np.int8)])
        return len(self._class_rows) - 1

    def scores(self, sequences: list[tuple[str, list[tuple[str, int, int]]]]) -> np.ndarray:
        """(all tokens, labels) state scores of the sequences, one after the other: the sums
        crfsuite makes from the attributes. Each array operation runs once per batch."""
        total = sum(len(tokens) for _, tokens in sequences)
        if not total:
            return np.zeros((0, len(self.labels)))
        if len(self._ids) + total > TOKEN_LIMIT:  # a long audit meets many one-off tokens
            self._forget()
        known = self._ids
        # one pass in C over every token: their texts, starts and ends
        all_tokens, token_starts, token_ends = zip(*chain.from_iterable(tokens for _, tokens in sequences))
        if new := [t for t in dict.fromkeys(all_tokens) if t not in known]:
            self._add_tokens(new)
        ids = np.fromiter(map(known.__getitem__, all_tokens), dtype=np.intp, count=total)
        lengths = np.array([len(tokens) for _, tokens in sequences], dtype=np.intp)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.intp)
        seq_start = np.repeat(starts, lengths)  # per token: where its sequence starts
        seq_len = np.repeat(lengths, lengths)
        at = np.arange(total) - seq_start  # position in its sequence
        kinds = self._kinds[ids]

        def neighbour(d: int) -> np.ndarray:
            """Table row of the token ``d`` away in the same sequence (0: the edge)."""
            k = at + d
            return np.where((k >= 0) & (k < seq_len), ids[np.clip(np.arange(total) + d, 0, total - 1)], 0)

        def exclusive_sum(values: np.ndarray) -> np.ndarray:
            """Per token: the sum of ``values`` over the tokens before it in its sequence."""
            run = np.concatenate([[0], np.cumsum(values)])
            return run[:-1] - run[seq_start]

        index = np.arange(total)
        is_sep = kinds[:, _SEPARATOR].astype(bool)
        before = np.concatenate([[-1], np.maximum.accumulate(np.where(is_sep, index, -1))[:-1]])
        before = np.where(before >= seq_start, before, -1)
        after = np.concatenate([np.minimum.accumulate(np.where(is_sep, index, total)[::-1])[::-1][1:], [total]])
        after = np.where(after < seq_start + seq_len, after, total)
        previous, following = neighbour(-1), neighbour(1)  # also the word bigrams' other halves
        cells = [  # the table cell each token takes, column by column (see _COLUMNS)
            ids * _COLUMNS,
            neighbour(-2) * _COLUMNS + 1,
            previous * _COLUMNS + 2,
            following * _COLUMNS + 3,
            neighbour(2) * _COLUMNS + 4,
            np.where(after < total, ids[np.minimum(after, total - 1)] * _COLUMNS + 5, 5),
            np.where(before >= 0, ids[np.maximum(before, 0)] * _COLUMNS + 6, 6),
        ]
        # tokens cover every character but white space, so a gap between two is white space
        last = at == seq_len - 1
        gaps = np.array(token_starts[1:], dtype=np.intp) > np.array(token_ends[:-1], dtype=np.intp)
        gap = np.concatenate([gaps, [False]]).astype(np.intp)
        space_after = gap.copy()
        space_before = np.concatenate([[0], gap[:-1]])
        for (text, tokens), k in zip(sequences, starts.tolist()):
            space_after[k + len(tokens) - 1] = tokens[-1][2] < len(text)  # only white space after the last
            space_before[k] = tokens[0][1] > 0 and text[tokens[0][1] - 1].isspace()  # the numbering before the first
        next_kind = np.where(last, 1, np.concatenate([kinds[1:, _INITIAL_NEXT], [1]]))  # "" after the last
        initial = kinds[:, _INITIAL] | (kinds[:, _MAYBE_INITIAL] & next_kind)
        prev_initial = np.where(at == 0, 0, np.concatenate([[0], initial[:-1]]))
        breaks = kinds[:, _STOP] & space_after & (1 - prev_initial)
        # brackets open before each token (a closing one with none open is ignored): a walk
        # held at zero is its sum less its lowest sum so far; each sequence starts lower than
        # any earlier one reached, so the running minimum never reaches back into another
        walk = exclusive_sum(kinds[:, _OPEN].astype(np.intp) - kinds[:, _CLOSE]) - 2 * (total + 1) * np.repeat(
            np.arange(len(lengths)), lengths
        )
        paren = (walk > np.minimum.accumulate(walk)).astype(np.intp)
        spacing = initial + 2 * space_before + 4 * space_after + 8 * (exclusive_sum(kinds[:, _YEAR]) > 0)
        place = 10 * at // seq_len + 10 * np.minimum(exclusive_sum(breaks), 5) + 60 * paren
        place += 120 * (exclusive_sum(kinds[:, _QUOTE]) % 2)
        separators = np.where(after < total, np.minimum(after - index, 5), 6)
        separators += 7 * np.where(before >= 0, np.minimum(index - before, 5), 6)
        # summed one gathered row at a time (``take`` is several times faster than indexing
        # the table with all seven columns at once, and adds in the same order)
        table = self._table.reshape(-1, len(self.labels))
        out = table.take(cells[0], axis=0)
        for column in cells[1:]:
            out += table.take(column, axis=0)
        out += self._spacing.take(spacing, axis=0)
        out += self._place.take(place, axis=0)
        out += self._separators.take(separators, axis=0)
        pair_ids, size = self._pair_ids, len(self._pair_word)
        for side, a, b in (("-1w|0w=", previous, ids), ("0w|1w=", ids, following)):
            wa, wb = pair_ids[a], pair_ids[b]
            keys, rows = self._pair_keys[side], self._pair_rows[side]
            both = np.flatnonzero((wa >= 0) & (wb >= 0))
            key = wa[both] * size + wb[both]
            at_key = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
            hit = keys[at_key] == key
            out[both[hit]] += self._weights[rows[at_key[hit]]]
        return out

    def tag_many(self, sequences: list[tuple[str, list[tuple[str, int, int]]]]) -> list[list[str]]:
        """The best label sequence of each (text, tokens), as crfsuite's ``Tagger.tag``
        gives it. Strings of similar length are decoded together, at most ``BATCH`` at once."""
        order = sorted(range(len(sequences)), key=lambda k: -len(sequences[k][1]))
        out: list[list[str]] = [[] for _ in sequences]
        for c in range(0, len(order), BATCH):
            chunk = [k for k in order[c : c + BATCH] if sequences[k][1]]
            for k, labels in zip(chunk, self._viterbi([sequences[k] for k in chunk])):
                out[k] = labels
        return out

    def _viterbi(self, sequences: list[tuple[str, list[tuple[str, int, int]]]]) -> list[list[str]]:
        """Viterbi over sequences sorted longest first, all steps of one position at once."""
        if not sequences:
            return []
        lengths = [len(tokens) for _, tokens in sequences]
        scores = self.scores(sequences)
        count, n_labels, longest = len(lengths), len(self.labels), lengths[0]
        ends = np.array(lengths) - 1
        active = np.searchsorted(-ends, -np.arange(longest), side="right").tolist()  # a prefix: longest first
        # best score ending in each label, per position: [position, label, sequence], so that
        # each step's maximum runs over whole contiguous rows (numpy's fastest reduction)
        delta = np.zeros((longest, n_labels, count))
        sequence = np.repeat(np.arange(count), lengths)
        delta[np.arange(len(scores)) - (np.cumsum(lengths) - lengths)[sequence], :, sequence] = scores
        best_from, transitions = np.maximum.reduce, self.transitions[:, :, None]  # [from, to, 1]
        for t in range(1, longest):
            a = active[t]
            delta[t, :, :a] += best_from(delta[t - 1, :, None, :a] + transitions, axis=0)
        # back from each sequence's best last label; the best predecessor of the label taken
        # is found again here (first maximum, as crfsuite) rather than stored for all labels
        path = np.zeros((longest, count), dtype=np.intp)
        path[ends, np.arange(count)] = delta[ends, :, np.arange(count)].argmax(axis=1)
        for t in range(longest - 1, 0, -1):
            a = active[t]  # the others ended here
            path[t - 1, :a] = (delta[t - 1, :, :a] + self.transitions[:, path[t, :a]]).argmax(axis=0)
        named = self._names[path.T]  # [sequence, position]: label strings, in one array lookup
        return [row[:length].tolist() for row, length in zip(named, lengths)]

    def tag(self, text: str, tokens: list[tuple[str, int, int]]) -> list[str]:
        """``tag_many`` for one string."""
        return self.tag_many([(text, tokens)])[0]
