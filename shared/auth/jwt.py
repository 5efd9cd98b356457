"""JWT signing (HS256, ES256) and verification (HS256, RS256, ES256) through PyJWT, with the algorithm
pinned per issuer.

PyJWT is imported on first use, not with this module: the contacts API only signs member tokens
(HS256, pure Python) and should not pay for it on a cold start of its other routes. Where
`cryptography` is installed (the authorizer's and the platform function's layers, and every local
environment) PyJWT imports it as well; that is what RS256 and ES256 need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey
    from jwt import PyJWK
    from jwt.types import Options

Algorithm = Literal["HS256", "RS256", "ES256"]
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


def sign_es256(claims: dict[str, Any], key: EllipticCurvePrivateKey, kid: str) -> str:
    import jwt

    return jwt.encode(claims, key, algorithm="ES256", headers={"kid": kid, "typ": "JWT"})


def rsa_public_key(jwk: dict[str, Any]) -> PyJWK:
    """One RS256 verification key from its JWK (as in Cognito's `.well-known/jwks.json`)."""
    if jwk.get("kty") != "RSA":
        raise InvalidToken("not an RSA key")
    return _public_key(jwk, "RS256")


def ec_public_key(jwk: dict[str, Any]) -> PyJWK:
    """One ES256 verification key from its JWK (as Siyu's own staff issuer publishes them)."""
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise InvalidToken("not a P-256 key")
    return _public_key(jwk, "ES256")


def _public_key(jwk: dict[str, Any], algorithm: Algorithm) -> PyJWK:
    import jwt

    try:
        return jwt.PyJWK(jwk, algorithm=algorithm)
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


def unverified_key_id(token: str) -> str | None:
    """The header's `kid`, read only to find the key to verify with: never trusted as such."""
    import jwt

    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from error
    return kid if isinstance(kid, str) else None


def verify(
    token: str,
    *,
    algorithm: Algorithm,
    issuer: str,
    audience: str,
    hmac_key: bytes | None = None,
    public_keys: PublicKeys | None = None,
    required: tuple[str, ...] = (),
    leeway_seconds: int = 30,
) -> dict[str, Any]:
    """The token's claims once its signature, algorithm, issuer, audience and lifetime are checked.

    Only `algorithm` is accepted: "none", and an HS256 token signed with an issuer's public key, are
    refused; a public key is used only for the algorithm it was loaded for. `exp` is required, as
    are the claims in `required`; `nbf` and `iat` must not lie in the future (within the leeway).
    """
    import jwt

    key: bytes | PyJWK | None
    try:
        if algorithm == "HS256":
            key = hmac_key
        elif algorithm in ("RS256", "ES256"):
            found = (public_keys or {}).get(str(jwt.get_unverified_header(token).get("kid")))
            key = found if found is not None and found.algorithm_name == algorithm else None
        else:
            raise InvalidToken("unsupported algorithm")
        if not key:
            raise InvalidToken("no key for this token")
        options: Options = {**_OPTIONS, "require": [*_OPTIONS["require"], *required]}
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            issuer=issuer,
            audience=audience,
            leeway=leeway_seconds,
            options=options,
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from error
    return claims
