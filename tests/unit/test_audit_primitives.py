"""The private primitives: sealing formats, associated data, the header encoding, checkpoint signatures."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import sqlite

from audit import _primitives as p
from audit.errors import AuditError, DecryptionFailed, KeyMaterialError
from audit.tables import UTCDateTime

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


def test_sealed_blob_carries_format_version_and_random_nonce() -> None:
    first = p.seal(KEY, b"Inhalt", b"aad")
    second = p.seal(KEY, b"Inhalt", b"aad")
    assert first[0] == 1 == p.FORMAT
    assert len(first) == 1 + 12 + len(b"Inhalt") + 16
    assert first[1:13] != second[1:13]  # fresh nonce every time
    assert p.unseal(KEY, first, b"aad") == b"Inhalt"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda blob: b"\x02" + blob[1:],  # unknown format version
        lambda blob: b"\x00" + blob[1:],
        lambda blob: blob[:-1] + bytes([blob[-1] ^ 1]),  # tag
        lambda blob: blob[:5] + bytes([blob[5] ^ 1]) + blob[6:],  # nonce
        lambda blob: blob[:20],  # truncated
        lambda blob: b"",
    ],
)
def test_altered_blob_is_refused(mutate: object) -> None:
    blob = p.seal(KEY, b"Inhalt", b"aad")
    with pytest.raises(DecryptionFailed):
        p.unseal(KEY, mutate(blob), b"aad")  # type: ignore[operator]


def test_unknown_version_is_named() -> None:
    blob = p.seal(KEY, b"x", b"aad")
    with pytest.raises(DecryptionFailed, match="Chiffratformat 7"):
        p.unseal(KEY, b"\x07" + blob[1:], b"aad")


def test_wrong_key_or_associated_data_is_refused() -> None:
    blob = p.seal(KEY, b"Inhalt", p.field_aad("case:KS-1", "children/1/nachname"))
    with pytest.raises(DecryptionFailed):
        p.unseal(OTHER_KEY, blob, p.field_aad("case:KS-1", "children/1/nachname"))
    with pytest.raises(DecryptionFailed):
        p.unseal(KEY, blob, p.field_aad("case:KS-1", "children/2/nachname"))
    with pytest.raises(DecryptionFailed):
        p.unseal(KEY, blob, p.field_aad("case:KS-2", "children/1/nachname"))
    # A field blob can never pass as an event payload: different domain prefix.
    with pytest.raises(DecryptionFailed):
        p.unseal(KEY, blob, p.event_aad(b"case:KS-1\x1fchildren/1/nachname"))


def test_decryption_error_never_contains_the_plaintext() -> None:
    blob = p.seal(KEY, b"Mia Beispielkind", b"aad")
    with pytest.raises(DecryptionFailed) as caught:
        p.unseal(KEY, blob, b"other")
    assert "Mia" not in str(caught.value)


def test_field_record_must_be_plain_text() -> None:
    for bad in ["", "a\x1fb", "a\x00b", "zeile\n"]:
        with pytest.raises(AuditError):
            p.field_aad("case:KS-1", bad)


def test_key_wrapping_binds_the_kek_id() -> None:
    dek = p.new_key()
    wrapped = p.wrap_key(KEY, "00112233aabbccdd", dek)
    assert p.unwrap_key(KEY, "00112233aabbccdd", wrapped) == dek
    with pytest.raises(DecryptionFailed):
        p.unwrap_key(KEY, "ffffffffffffffff", wrapped)
    with pytest.raises(DecryptionFailed):
        p.unwrap_key(OTHER_KEY, "00112233aabbccdd", wrapped)


def test_field_values_keep_their_type() -> None:
    for value in [b"\x00\xff", "Düren", {"b": [1, 2], "a": None}, [1, "x"], "", b""]:
        assert p.decode_field(p.encode_field(value)) == value
        assert type(p.decode_field(p.encode_field(value))) is type(value)
    with pytest.raises(AuditError, match="int"):
        p.encode_field(5)  # type: ignore[arg-type]


def test_json_is_canonical_and_refuses_the_unencodable_without_echoing_it() -> None:
    assert p.encode_json({"b": 1, "a": "ä"}) == '{"a":"ä","b":1}'.encode()
    with pytest.raises(AuditError) as caught:
        p.encode_json({"geheim": datetime(2026, 1, 1)})
    assert "2026" not in str(caught.value)
    with pytest.raises(AuditError):
        p.encode_json({"x": float("nan")})


def _header(**changes: object) -> bytes:
    values: dict[str, object] = {
        "prev_hash": bytes(32),
        "seq": 12,
        "time": datetime(2026, 3, 2, 8, 0, 0, 5, tzinfo=UTC),
        "actor": "kita_fk",
        "organisation": "kita-kevelaer",
        "case_ref": "KS-2026-000001",
        "scope": "case:KS-2026-000001",
        "type_": "task.completed",
    }
    values.update(changes)
    return p.SEP.join(p.header_fields(**values))  # type: ignore[arg-type]


def test_header_encoding_is_exact() -> None:
    assert _header() == bytes(32) + (
        b"\x1f12\x1f2026-03-02 08:00:00.000005\x1fkita_fk\x1fkita-kevelaer\x1fKS-2026-000001"
        b"\x1fcase:KS-2026-000001\x1ftask.completed"
    )


def test_header_distinguishes_every_field_and_none_from_text() -> None:
    variants = [
        _header(),
        _header(seq=13),
        _header(time=datetime(2026, 3, 2, 8, 0, 0, 6, tzinfo=UTC)),
        _header(actor="kita_fk2"),
        _header(organisation=None),
        _header(case_ref=None),
        _header(scope="system"),
        _header(type_="task.rejected"),
        _header(prev_hash=bytes(31) + b"\x01"),
    ]
    assert len(set(variants)) == len(variants)


def test_header_time_is_utc_whatever_the_offset() -> None:
    berlin = timezone(timedelta(hours=1))
    assert _header(time=datetime(2026, 3, 2, 9, 0, 0, 5, tzinfo=berlin)) == _header()


def test_header_text_matches_how_sqlite_stores_the_time_column() -> None:
    # `verify` hashes the stored text as is; the pinned storage format must be the header's format.
    moment = datetime(2026, 3, 2, 8, 0, 0, 5, tzinfo=UTC)
    dialect = sqlite.dialect()
    stored = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)(moment)  # type: ignore[misc]
    assert stored == moment.strftime(p.TIME_FORMAT) == "2026-03-02 08:00:00.000005"


def test_naive_times_and_control_characters_are_refused() -> None:
    with pytest.raises(AuditError):
        p.utc_naive(datetime(2026, 3, 2, 8, 0))
    for value in ["", "a\x1fb", "tab\t", "\x7f"]:
        with pytest.raises(AuditError):
            p.check_text("actor", value, max_length=200)
    with pytest.raises(AuditError):
        p.check_text("actor", "x" * 201, max_length=200)
    with pytest.raises(AuditError):
        p.check_text("actor", None, max_length=200)
    p.check_text("organisation", None, optional=True, max_length=64)


def test_entry_hash_is_sha256_over_header_and_ciphertext() -> None:
    assert p.entry_hash(b"h", b"c") == hashlib.sha256(b"h\x1fc").digest()


def test_checkpoint_signature_covers_seq_hash_and_time() -> None:
    key = p.new_signing_key()
    moment = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    message = p.checkpoint_message(5, b"\x01" * 32, moment)
    signature = key.sign(message)
    public = p.load_public_key(p.public_key_pem(key.public_key()))
    assert p.signature_valid(public, signature, message)
    for other in [
        p.checkpoint_message(6, b"\x01" * 32, moment),
        p.checkpoint_message(5, b"\x02" * 32, moment),
        p.checkpoint_message(5, b"\x01" * 32, moment + timedelta(microseconds=1)),
    ]:
        assert not p.signature_valid(public, signature, other)
    assert len(p.signing_key_id(public)) == 16


def test_public_key_must_be_ed25519_pem() -> None:
    with pytest.raises(KeyMaterialError):
        p.load_public_key(b"-----BEGIN PUBLIC KEY-----\nnonsense\n-----END PUBLIC KEY-----\n")
