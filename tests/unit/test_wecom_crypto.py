"""WeCom's encrypted-callback cryptography against the test vectors WeCom publishes with its sample
code, and against what must be refused.

Where the vectors come from (each value checked against these stored sources):

- Set A, token ``QDG6eK``, receive id ``wx5823bf96d3bd56c7``: WeCom's PHP sample,
  github.com/sbzhu/weworkapi_php ``callback/Sample.php`` (the URL check and the message, with the
  message's plaintext in its comment); the same values are in WeCom's C++ sample,
  github.com/workweixin/weworkapi_cplusplus ``Sample.cpp``. The URL check's echostr decrypts to
  ``1616140317555161061`` (the samples do not print it; the check is that it verifies and
  decrypts for this receive id at all).
- Set B, token ``hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo``, corp id ``ww1436e0e65a779aee``: WeCom's
  Python sample, github.com/sbzhu/weworkapi_python ``callback/Sample.py``; the message decrypts to
  the very XML the same sample uses as its reply example (``sRespData``).
"""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared import wecom_crypto
from shared.wecom_crypto import CallbackCryptoError

A_TOKEN, A_ID, A_KEY = "QDG6eK", "wx5823bf96d3bd56c7", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
A_ECHO = {
    "msg_signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
    "timestamp": "1409659589",
    "nonce": "263014780",
    "encrypted": "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
    "plaintext": "1616140317555161061",
}
A_POST = (
    "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA["
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJ"
    "Ts3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2"
    "hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4"
    "EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ"
    "2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
)
A_MESSAGE = {
    "msg_signature": "477715d11cdb4164915debcba66cb864d751f3e6",
    "timestamp": "1409659813",
    "nonce": "1372623149",
    "plaintext": (
        "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n"
        "<FromUserName><![CDATA[mycreate]]></FromUserName>\n"
        "<CreateTime>1409659813</CreateTime>\n"
        "<MsgType><![CDATA[text]]></MsgType>\n"
        "<Content><![CDATA[hello]]></Content>\n"
        "<MsgId>4561255354251345929</MsgId>\n"
        "<AgentID>218</AgentID>\n"
        "</xml>"
    ),
}

B_TOKEN, B_ID, B_KEY = (
    "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo",
    "ww1436e0e65a779aee",
    "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt",
)
B_ECHO = {
    "msg_signature": "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb",
    "timestamp": "1476416373",
    "nonce": "47744683",
    "encrypted": "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==",
}
B_POST = (
    "<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>\n<Encrypt><![CDATA["
    "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+k"
    "kYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4c"
    "h4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux0"
    "82f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+]]></Encrypt>\n<AgentID><![CDATA[1000002]]></AgentID>\n</xml>"
)
B_MESSAGE = {
    "msg_signature": "0c3914025cb4b4d68103f6bfc8db550f79dcf48e",
    "timestamp": "1476422779",
    "nonce": "1597212914",
    "plaintext": (
        "<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName>"
        "<CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content>"
        "<MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>"
    ),
}


def verify_and_decrypt(token: str, key: str, receive_id: str, call: dict[str, str], encrypted: str) -> str:
    """What a callback handler does: the signature first, then the ciphertext."""
    wecom_crypto.verify_signature(token, call["timestamp"], call["nonce"], encrypted, call["msg_signature"])
    return wecom_crypto.decrypt(key, encrypted, receive_id)


def test_the_published_url_checks_verify_and_decrypt() -> None:
    assert (
        wecom_crypto.signature(A_TOKEN, A_ECHO["timestamp"], A_ECHO["nonce"], A_ECHO["encrypted"])
        == (A_ECHO["msg_signature"])
    )
    assert verify_and_decrypt(A_TOKEN, A_KEY, A_ID, A_ECHO, A_ECHO["encrypted"]) == A_ECHO["plaintext"]
    assert verify_and_decrypt(B_TOKEN, B_KEY, B_ID, B_ECHO, B_ECHO["encrypted"]).isdigit()


@pytest.mark.parametrize(
    ("token", "key", "receive_id", "post", "call"),
    [(A_TOKEN, A_KEY, A_ID, A_POST, A_MESSAGE), (B_TOKEN, B_KEY, B_ID, B_POST, B_MESSAGE)],
    ids=["php-and-cpp-sample", "python-sample"],
)
def test_the_published_messages_verify_and_decrypt_to_their_plaintext(
    token: str, key: str, receive_id: str, post: str, call: dict[str, str]
) -> None:
    fields = wecom_crypto.parse_xml(post)
    assert fields["ToUserName"] == receive_id
    assert verify_and_decrypt(token, key, receive_id, call, fields["Encrypt"]) == call["plaintext"]
    upper = call | {"msg_signature": call["msg_signature"].upper()}  # hex in either case
    assert verify_and_decrypt(token, key, receive_id, upper, fields["Encrypt"]) == call["plaintext"]


def test_a_tampered_signature_or_ciphertext_is_a_bad_signature() -> None:
    encrypted = wecom_crypto.parse_xml(A_POST)["Encrypt"]
    forged = A_MESSAGE | {"msg_signature": "0" + A_MESSAGE["msg_signature"][1:]}
    for call, text in [
        (forged, encrypted),
        (A_MESSAGE, encrypted[:-4] + "AAA="),  # the ciphertext changed under the signature
        (A_MESSAGE | {"timestamp": "1409659814"}, encrypted),
        (A_MESSAGE | {"msg_signature": "477715d11cdb4164915debcba66cb864d751f3e\uff16"}, encrypted),  # non-ASCII
    ]:
        with pytest.raises(CallbackCryptoError) as refused:
            verify_and_decrypt(A_TOKEN, A_KEY, A_ID, call, text)
        assert refused.value.reason == "bad_signature"
    with pytest.raises(CallbackCryptoError) as refused:
        verify_and_decrypt("QDG6eL", A_KEY, A_ID, A_MESSAGE, encrypted)
    assert refused.value.reason == "bad_signature"


def test_a_ciphertext_for_another_receive_id_is_refused() -> None:
    encrypted = wecom_crypto.parse_xml(A_POST)["Encrypt"]
    for other in ("wx5823bf96d3bd56c8", "wx5823bf96d3bd56c", "", "ww1436e0e65a779aee"):
        with pytest.raises(CallbackCryptoError) as refused:
            wecom_crypto.decrypt(A_KEY, encrypted, other)
        assert refused.value.reason == "bad_receive_id"


def _raw_encrypt(plain: bytes) -> str:
    """AES-256-CBC under set A's key with no padding of ours: for bodies the scheme would not make."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = wecom_crypto.aes_key(A_KEY)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def _framed(message: bytes, receive_id: bytes, length: int | None = None) -> bytes:
    return b"r" * 16 + (len(message) if length is None else length).to_bytes(4, "big") + message + receive_id


def _padded(plain: bytes) -> bytes:
    pad = 32 - len(plain) % 32
    return plain + bytes([pad]) * pad


@pytest.mark.parametrize(
    "encrypted",
    [
        "not base64!",
        "QUJD",  # three bytes: not whole AES blocks
        wecom_crypto.encrypt(A_KEY, "hello", A_ID)[:-24],  # truncated: 16-byte blocks, not 32
        base64.b64encode(base64.b64decode(wecom_crypto.encrypt(A_KEY, "hello", A_ID))[:32]).decode(),  # one block
        "",
        _raw_encrypt(_framed(b"hi", A_ID.encode()).ljust(63, b"x") + b"\x00"),  # pad value 0
        _raw_encrypt(_framed(b"hi", A_ID.encode()).ljust(63, b"x") + b"\x21"),  # pad value 33
        _raw_encrypt(_framed(b"hi", A_ID.encode()).ljust(61, b"x") + b"\x02\x03\x03"),  # unequal pad bytes
        _raw_encrypt(_framed(b"hi", A_ID.encode(), length=10_000).ljust(63, b"x") + b"\x01"),  # length beyond
        _raw_encrypt(b"short".ljust(31, b"x") + b"\x1b"),  # shorter than random bytes and length
        _raw_encrypt(_padded(_framed(b"\xff\xfe", A_ID.encode()))),  # not UTF-8
    ],
    ids=[
        "base64",
        "not-blocks",
        "truncated",
        "one-block",
        "empty",
        "pad-0",
        "pad-33",
        "pad-unequal",
        "length-beyond",
        "too-short",
        "not-utf8",
    ],
)
def test_bad_ciphertexts_are_malformed(encrypted: str) -> None:
    with pytest.raises(CallbackCryptoError) as refused:
        wecom_crypto.decrypt(A_KEY, encrypted, A_ID)
    assert refused.value.reason == "malformed"


@pytest.mark.parametrize("key", [A_KEY[:-1], A_KEY + "A", A_KEY[:-1] + "!", A_KEY[:-1] + "é", ""])
def test_a_key_that_is_not_43_base64_characters_is_a_bad_key(key: str) -> None:
    with pytest.raises(CallbackCryptoError) as refused:
        wecom_crypto.decrypt(key, A_ECHO["encrypted"], A_ID)
    assert refused.value.reason == "bad_key"


@settings(max_examples=30, deadline=None)
@given(
    message=st.text(max_size=300),
    receive_id=st.text(min_size=1, max_size=40),
    prefix=st.binary(min_size=16, max_size=16),
)
def test_encrypt_then_decrypt_gives_the_message_back(message: str, receive_id: str, prefix: bytes) -> None:
    message = message.encode(errors="replace").decode()  # lone surrogates are not UTF-8 text
    receive_id = receive_id.encode(errors="replace").decode()
    encrypted = wecom_crypto.encrypt(A_KEY, message, receive_id, random_prefix=prefix)
    assert len(base64.b64decode(encrypted)) % 32 == 0
    assert wecom_crypto.decrypt(A_KEY, encrypted, receive_id) == message


def test_the_envelope_and_the_callback_body_verify_and_decrypt() -> None:
    reply = wecom_crypto.parse_xml(
        wecom_crypto.encrypted_envelope(A_TOKEN, A_KEY, A_ID, "回复 <a>", "1409659813", "n1")
    )
    assert reply["TimeStamp"] == "1409659813"
    call = {"timestamp": reply["TimeStamp"], "nonce": reply["Nonce"], "msg_signature": reply["MsgSignature"]}
    assert verify_and_decrypt(A_TOKEN, A_KEY, A_ID, call, reply["Encrypt"]) == "回复 <a>"

    body, encrypted = wecom_crypto.callback_body(A_KEY, A_ID, A_MESSAGE["plaintext"], agent_id="218")
    assert wecom_crypto.parse_xml(body) == {"ToUserName": A_ID, "Encrypt": encrypted, "AgentID": "218"}
    assert wecom_crypto.decrypt(A_KEY, encrypted, A_ID) == A_MESSAGE["plaintext"]
    assert "AgentID" not in wecom_crypto.parse_xml(wecom_crypto.callback_body(A_KEY, A_ID, "m")[0])
    # Different random bytes each time: the same message never encrypts twice alike.
    assert wecom_crypto.encrypt(A_KEY, "m", A_ID) != wecom_crypto.encrypt(A_KEY, "m", A_ID)


def test_parse_xml_keeps_the_roots_direct_children() -> None:
    text = (
        "<xml><MsgType><![CDATA[event]]></MsgType><Event> change_external_contact </Event>"
        "<Info><Nested>x</Nested></Info><Event>second</Event><!-- note --></xml>"
    )
    assert wecom_crypto.parse_xml(text) == {"MsgType": "event", "Event": "change_external_contact", "Info": ""}


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    "]><xml><Content>&b;</Content></xml>"
)


@pytest.mark.parametrize(
    "text",
    [
        BILLION_LAUGHS,
        '<!DOCTYPE xml SYSTEM "file:///etc/passwd"><xml/>',
        "<xml><Content>&lt;ok&gt;</Content>",  # unclosed
        "not xml at all",
        "",
        "<root><Content>x</Content></root>",  # WeCom's root is <xml>
        "<xml>" + "<A>1</A>" * 64 + "</xml>",  # 65 elements
        "<xml><Content>" + "x" * (64 * 1024) + "</Content></xml>",  # over 64 KiB
        "<xml><A><B><C><D><E>deep</E></D></C></B></A></xml>",  # five levels below the root
        "<xml><A>\udc80</A></xml>",  # a lone surrogate
    ],
    ids=[
        "billion-laughs",
        "external-dtd",
        "unclosed",
        "text",
        "empty",
        "root",
        "elements",
        "size",
        "depth",
        "surrogate",
    ],
)
def test_parse_xml_refuses_what_is_not_a_callback_document(text: str) -> None:
    with pytest.raises(CallbackCryptoError) as refused:
        wecom_crypto.parse_xml(text)
    assert refused.value.reason == "malformed"


def test_parse_xml_accepts_wecoms_deepest_nesting() -> None:
    text = (
        "<xml><Event>template_card_event</Event><SelectedItems><SelectedItem><QuestionKey>q</QuestionKey>"
        "<OptionIds><OptionId>1</OptionId></OptionIds></SelectedItem></SelectedItems></xml>"
    )
    assert wecom_crypto.parse_xml(text)["Event"] == "template_card_event"


def test_importing_the_module_does_not_import_cryptography() -> None:
    import subprocess
    import sys

    code = "import sys, shared.wecom_crypto; print(any(m.startswith('cryptography') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_a_list_of_items_reads_as_its_comma_joined_texts_and_counts_apart() -> None:
    members = "".join(f"<Item><![CDATA[wm{n}]]></Item>" for n in range(300))
    fields = wecom_crypto.parse_xml(f"<xml><ChatId>wr1</ChatId><MemChangeList>{members}</MemChangeList></xml>")
    assert fields["ChatId"] == "wr1"
    assert fields["MemChangeList"].split(",") == [f"wm{n}" for n in range(300)]
