"""JWT signing (HS256) and verification (HS256, RS256) through PyJWT, with the algorithm pinned per issuer.

PyJWT is imported on first use, not with this module: the contacts API only signs member tokens
(HS256, pure Python) and should not pay for it on a cold start of its other routes. Where
`cryptography` is installed (the authorizer's layer, and every local environment) PyJWT imports
it as well; that is what RS256 needs, and only the authorizer verifies RS256 tokens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from jwt import PyJWK
    from jwt.types import Options

Algorithm = Literal["HS256", "RS256"]
PublicKeys = dict[str, "PyJWK"]
"""Verification keys by key id (`kid`), as a JWKS publishes them."""

# Keys below 2048 bits (RSA) or 32 bytes (HMAC-SHA256) are refused, not merely warned about.
_OPTIONS: Options = {"require": ["iss", "aud", "exp"], "enforce_minimum_key_length": True}


class InvalidToken(Exception):
    pass


def preload() -> None:
    """Import PyJWT (and with it `cryptography`) now: the authorizer calls this at import, so that the
    cost falls in Lambda's init phase rather than on the first request it authorizes."""
    import jwt  # noqa: F401


def sign_hs256(claims: dict[str, Any], key: bytes) -> str:
    import jwt

    try:
        return jwt.PyJWT(options={"enforce_minimum_key_length": True}).encode(claims, key, algorithm="HS256")
    except jwt.PyJWTError as error:  # a signing key too short to be safe
        raise ValueError(f"cannot sign: {error}") from error


def rsa_public_key(jwk: dict[str, Any]) -> PyJWK:
    """One RS256 verification key from its JWK (as in Cognito's `.well-known/jwks.json`)."""
    import jwt

    if jwk.get("kty") != "RSA":
        raise InvalidToken("not an RSA key")
    try:
        return jwt.PyJWK(jwk, algorithm="RS256")
    except jwt.PyJWTError as error:
        raise InvalidToken(f"unusable key: {error}") from error


def unverified_issuer(token: str) -> str | None:
    """The `iss` claim, read only to choose how to verify the token: never trusted as such."""
    import jwt

    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from error
    issuer = claims.get("iss")
    return issuer if isinstance(issuer, str) else None


def verify(
    token: str,
    *,
    algorithm: Algorithm,
    issuer: str,
    audience: str,
    hmac_key: bytes | None = None,
    rsa_keys: PublicKeys | None = None,
    leeway_seconds: int = 30,
) -> dict[str, Any]:
    """The token's claims once its signature, algorithm, issuer, audience and lifetime are checked.

    Only `algorithm` is accepted: "none", and an HS256 token signed with an RS256 issuer's public key,
    are refused. `exp` is required; `nbf` and `iat` must not lie in the future (within the leeway).
    """
    import jwt

    key: bytes | PyJWK | None
    try:
        if algorithm == "HS256":
            key = hmac_key
        elif algorithm == "RS256":
            key = (rsa_keys or {}).get(str(jwt.get_unverified_header(token).get("kid")))
        else:
            raise InvalidToken("unsupported algorithm")
        if not key:
            raise InvalidToken("no key for this token")
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            issuer=issuer,
            audience=audience,
            leeway=leeway_seconds,
            options=_OPTIONS,
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from error
    return claims
