"""Citekeys are stable and unique; generated BibTeX parses back to the same fields."""

import bibtexparser
import pytest

from reflint.bibtex import assign_keys, citekey, tex, to_bibtex
from reflint.models import Author, Fields, Reference


@pytest.mark.parametrize("fields,key", [
    (Fields([Author("Gattie", "E")], "2017", "The effectiveness of trigger point dry needling"),
     "gattie2017effectiveness"),
    (Fields([Author("Fernández-de-Las-Peñas", "C")], "2019", "Trigger point dry needling"),
     "fernandezdelaspenas2019trigger"),
    (Fields([Author("Pyne", "D")], "2008", "Demystifying acupuncture"), "pyne2008demystifying"),
    (Fields([Author("Meakins", "A")], "2017", "Acupuncture: what's the point?"), "meakins2017acupuncture"),
    (Fields([Author("Hu", "H-T")], "2018", "Is dry needling effective for low back pain?"), "hu2018dry"),
    (Fields([], None, None), "anonnd"),
])
def test_citekey(fields, key):
    assert citekey(fields) == key


def ref(fields, key=None):
    return Reference(0, 1, "", "list-entry", fields, key=key)


def test_repeated_keys_get_suffixes_and_bibtex_keys_are_kept():
    same = Fields([Author("Dommerholt", "J")], "2006", "Trigger point dry needling")
    refs = [ref(same), ref(same, key="mine"), ref(same), ref(same)]
    assign_keys(refs)
    assert [r.key for r in refs] == ["dommerholt2006trigger", "mine", "dommerholt2006triggerb",
                                     "dommerholt2006triggerc"]


def test_tex_escapes_specials_and_drops_braces():
    assert tex("Journal of Manual & Manipulative Therapy") == r"Journal of Manual \& Manipulative Therapy"
    assert tex("100% {sure} #1") == r"100\% sure \#1"
    assert tex(r"already \& escaped") == r"already \& escaped"


def test_bibtex_round_trip():
    fields = Fields([Author("Dommerholt", "J"), Author("Gröbli", "C")], "2006",
                    "Trigger Point Dry Needling", "Journal of Manual & Manipulative Therapy",
                    "14", "4", "70E-87E", "10.1179/jmt.2006.14.4.70E")
    text = to_bibtex([ref(fields, key="dommerholt2006trigger")])
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    entry = library.entries[0]
    assert entry.key == "dommerholt2006trigger"
    assert entry.entry_type == "article"
    assert entry["author"] == "Dommerholt, J and Gröbli, C"
    assert entry["journal"] == r"Journal of Manual \& Manipulative Therapy"
    assert entry["pages"] == "70E--87E"
    assert entry["number"] == "4"
    assert entry["doi"] == "10.1179/jmt.2006.14.4.70E"
