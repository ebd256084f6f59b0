//! Sign-in through a province's unified identity (an OpenID Connect provider such as
//! 渝快政): this server is the relying party. Authorization code flow with PKCE, `state` and
//! `nonce`; the provider's discovery document and keys (JWKS) are fetched and cached; the ID
//! token's signature (RS256 or ES256), issuer, audience, expiry and nonce are checked by the
//! `openidconnect` crate. The verified identity (the value of one configured claim) is then
//! mapped to an existing account by `api::identity`; nothing is ever created here.
//!
//! Built-in accounts stay the default: without `ANJIAN_OIDC_ISSUER` none of this is active.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use chrono::Utc;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreJwsSigningAlgorithm,
    CoreProviderMetadata,
};
use openidconnect::{
    AccessToken, AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndUserEmail, EndUserPhoneNumber, EndUserUsername, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, SubjectIdentifier, TokenResponse,
};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::storage::LoginState;

/// How long a started sign-in may take at the provider.
pub const LOGIN_STATE_TTL_MINUTES: i64 = 10;
/// Sign-ins in progress at once, across all clients: past it new ones wait (bounded work
/// for an endpoint anyone may call).
pub const MAX_PENDING: i64 = 10_000;
/// The discovery document and the keys are fetched again after this long (key rotation).
const METADATA_TTL: Duration = Duration::from_secs(3600);

/// The provider as the office configures it (`ANJIAN_OIDC_*`, see docs/security.md).
#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// The issuer URL; `/.well-known/openid-configuration` is read under it.
    pub issuer: String,
    pub client_id: String,
    /// The client secret (a confidential client: the server exchanges the code).
    pub client_secret: Option<String>,
    /// The claim whose value links to an account: `preferred_username`, `phone_number`, `sub`,
    /// or a provider's own (an ID-number claim, say), read from the userinfo answer when the
    /// ID token does not carry it.
    pub link_claim: String,
    /// The login button's text, e.g. 渝快政登录.
    pub display_name: String,
    /// Where the provider sends the browser back: the console's `/login/oidc` page.
    pub redirect_url: String,
    /// The phone app's link the provider sends it back to (an app link), if the app may sign
    /// in this way.
    pub app_redirect_url: Option<String>,
    /// Scopes asked for (`openid` always).
    pub scopes: Vec<String>,
    /// Accounts linked to an identity may not sign in with a password.
    pub password_off_for_linked: bool,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn check_url(name: &str, url: &str) -> Result<(), String> {
    reqwest::Url::parse(url)
        .map_err(|e| format!("{name} 不是有效的网址（{url}）：{e}"))
        .map(|_| ())
}

impl OidcConfig {
    /// Reads `ANJIAN_OIDC_ISSUER`, `ANJIAN_OIDC_CLIENT_ID`, `ANJIAN_OIDC_CLIENT_SECRET`,
    /// `ANJIAN_OIDC_CLAIM`, `ANJIAN_OIDC_NAME`, `ANJIAN_OIDC_REDIRECT_URL` (default
    /// `<public url>/login/oidc`), `ANJIAN_OIDC_APP_REDIRECT_URL`, `ANJIAN_OIDC_SCOPES` and
    /// `ANJIAN_OIDC_PASSWORD_FOR_LINKED=off`. None when no issuer is set.
    pub fn from_env(public_url: Option<&str>) -> Result<Option<OidcConfig>, String> {
        let Some(issuer) = env("ANJIAN_OIDC_ISSUER") else {
            return Ok(None);
        };
        check_url("ANJIAN_OIDC_ISSUER", &issuer)?;
        let client_id = env("ANJIAN_OIDC_CLIENT_ID")
            .ok_or("配置了 ANJIAN_OIDC_ISSUER 时须同时配置 ANJIAN_OIDC_CLIENT_ID")?;
        let redirect_url = match env("ANJIAN_OIDC_REDIRECT_URL") {
            Some(u) => u,
            None => format!(
                "{}/login/oidc",
                public_url
                    .ok_or("请配置 ANJIAN_OIDC_REDIRECT_URL 或 ANJIAN_PUBLIC_URL（统一身份认证的回调地址）")?
                    .trim_end_matches('/')
            ),
        };
        check_url("ANJIAN_OIDC_REDIRECT_URL", &redirect_url)?;
        let app_redirect_url = env("ANJIAN_OIDC_APP_REDIRECT_URL");
        if let Some(u) = &app_redirect_url {
            check_url("ANJIAN_OIDC_APP_REDIRECT_URL", u)?;
        }
        let mut scopes: Vec<String> = env("ANJIAN_OIDC_SCOPES")
            .unwrap_or_else(|| "openid profile".into())
            .split([' ', ','])
            .filter(|s| !s.is_empty() && *s != "openid")
            .map(str::to_string)
            .collect();
        scopes.dedup();
        Ok(Some(OidcConfig {
            issuer,
            client_id,
            client_secret: env("ANJIAN_OIDC_CLIENT_SECRET"),
            link_claim: env("ANJIAN_OIDC_CLAIM").unwrap_or_else(|| "preferred_username".into()),
            display_name: env("ANJIAN_OIDC_NAME").unwrap_or_else(|| "统一身份认证登录".into()),
            redirect_url,
            app_redirect_url,
            scopes,
            password_off_for_linked: env("ANJIAN_OIDC_PASSWORD_FOR_LINKED")
                .is_some_and(|v| v == "off"),
        }))
    }
}

/// Who started the sign-in, and so where the provider sends the browser back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SignInClient {
    /// The web console (`ANJIAN_OIDC_REDIRECT_URL`).
    #[default]
    Console,
    /// The phone app, through the system browser (`ANJIAN_OIDC_APP_REDIRECT_URL`).
    App,
}

/// Why a sign-in through the provider did not give an identity. The message is for the
/// audit log (the user sees one answer for all of them).
#[derive(Debug)]
pub enum Refusal {
    /// The provider could not be reached or answered nonsense.
    Unavailable(String),
    /// The code, the tokens or the claims did not pass.
    Rejected(String),
}

impl Refusal {
    pub fn reason(&self) -> &str {
        match self {
            Refusal::Unavailable(r) | Refusal::Rejected(r) => r,
        }
    }

    pub fn into_api_error(self) -> ApiError {
        match self {
            Refusal::Unavailable(_) => unavailable(),
            Refusal::Rejected(_) => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "identity_rejected",
                "统一身份认证未通过，请重新登录",
            ),
        }
    }
}

pub fn unavailable() -> ApiError {
    ApiError::new(
        StatusCode::BAD_GATEWAY,
        "identity_provider_unavailable",
        "暂时无法连接统一身份认证服务，请稍后再试或使用账号密码登录",
    )
}

/// Claims a provider adds beyond the standard ones (an ID-number claim, say), read from the
/// userinfo answer.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct OtherClaims(HashMap<String, serde_json::Value>);

impl AdditionalClaims for OtherClaims {}

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// A sign-in just started: the provider's authorization URL, and the state to store.
pub struct Started {
    pub authorize_url: String,
    pub login_state: LoginState,
}

/// The configured provider, its discovery document cached.
pub struct IdentityProvider {
    config: OidcConfig,
    http: reqwest::Client,
    metadata: tokio::sync::Mutex<Option<(Instant, CoreProviderMetadata)>>,
}

impl IdentityProvider {
    pub fn new(config: OidcConfig) -> Result<IdentityProvider, String> {
        // Never follow redirects (the crate's advice against request forgery); bounded time.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(IdentityProvider {
            config,
            http,
            metadata: tokio::sync::Mutex::new(None),
        })
    }

    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    /// The discovery document (and keys), fetched again when older than an hour or when
    /// `refresh` (a token signed by a key we do not have yet).
    async fn metadata(&self, refresh: bool) -> Result<CoreProviderMetadata, Refusal> {
        let mut cached = self.metadata.lock().await;
        if let Some((at, m)) = cached.as_ref() {
            if !refresh && at.elapsed() < METADATA_TTL {
                return Ok(m.clone());
            }
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone())
            .map_err(|e| Refusal::Unavailable(format!("issuer: {e}")))?;
        let m = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| Refusal::Unavailable(format!("discovery: {e}")))?;
        *cached = Some((Instant::now(), m.clone()));
        Ok(m)
    }

    fn client(&self, metadata: CoreProviderMetadata, redirect: &str) -> Result<Client, Refusal> {
        let redirect = RedirectUrl::new(redirect.to_string())
            .map_err(|e| Refusal::Unavailable(format!("redirect url: {e}")))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            self.config.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    fn redirect_for(&self, who: SignInClient) -> Option<&str> {
        match who {
            SignInClient::Console => Some(&self.config.redirect_url),
            SignInClient::App => self.config.app_redirect_url.as_deref(),
        }
    }

    /// Starts a sign-in: a fresh PKCE verifier, `state` and `nonce`, kept server-side under
    /// the hash of `handle` (the caller's secret).
    pub async fn start(&self, who: SignInClient, handle_hash: String) -> Result<Started, ApiError> {
        let redirect = self
            .redirect_for(who)
            .ok_or_else(|| ApiError::invalid("本服务器未配置手机应用的统一身份认证回调地址"))?;
        let metadata = self
            .metadata(false)
            .await
            .map_err(Refusal::into_api_error)?;
        let client = self
            .client(metadata, redirect)
            .map_err(Refusal::into_api_error)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in &self.config.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        Ok(Started {
            authorize_url: url.to_string(),
            login_state: LoginState {
                handle_hash,
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                redirect_url: redirect.to_string(),
                expires_at: Utc::now() + chrono::Duration::minutes(LOGIN_STATE_TTL_MINUTES),
            },
        })
    }

    /// Exchanges the code (with the PKCE verifier), verifies the ID token against the
    /// provider's keys, issuer, this client, its expiry and the nonce, and returns the value of
    /// the linking claim.
    pub async fn identify(&self, pending: &LoginState, code: &str) -> Result<String, Refusal> {
        let client = self.client(self.metadata(false).await?, &pending.redirect_url)?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| Refusal::Unavailable(format!("token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| Refusal::Rejected(format!("令牌交换失败：{e}")))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| Refusal::Rejected("令牌应答中没有 ID 令牌".into()))?;
        let nonce = Nonce::new(pending.nonce.clone());
        let verify = |client: &Client| {
            let verifier = client.id_token_verifier().set_allowed_algs([
                CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
                CoreJwsSigningAlgorithm::EcdsaP256Sha256,
            ]);
            id_token.claims(&verifier, &nonce).cloned()
        };
        let claims = match verify(&client) {
            Ok(c) => c,
            // A key we do not know yet: the provider may have rotated its keys.
            Err(openidconnect::ClaimsVerificationError::SignatureVerification(_)) => {
                let fresh = self.client(self.metadata(true).await?, &pending.redirect_url)?;
                verify(&fresh).map_err(|e| Refusal::Rejected(format!("ID 令牌无效：{e}")))?
            }
            Err(e) => return Err(Refusal::Rejected(format!("ID 令牌无效：{e}"))),
        };
        let standard = Standard {
            sub: claims.subject(),
            preferred_username: claims.preferred_username(),
            email: claims.email(),
            phone_number: claims.phone_number(),
        };
        if let Some(value) = standard.get(&self.config.link_claim) {
            return Ok(value);
        }
        self.userinfo_claim(&client, tokens.access_token(), claims.subject())
            .await
    }

    /// The linking claim from the userinfo endpoint, whose `sub` must be the ID token's.
    async fn userinfo_claim(
        &self,
        client: &Client,
        access: &AccessToken,
        subject: &SubjectIdentifier,
    ) -> Result<String, Refusal> {
        let request = client
            .user_info(access.clone(), Some(subject.clone()))
            .map_err(|_| {
                Refusal::Rejected(format!(
                    "ID 令牌中没有 {} 声明，且服务未提供 userinfo",
                    self.config.link_claim
                ))
            })?;
        let info: openidconnect::UserInfoClaims<OtherClaims, CoreGenderClaim> = request
            .request_async(&self.http)
            .await
            .map_err(|e| Refusal::Rejected(format!("userinfo：{e}")))?;
        let c = info.standard_claims();
        let standard = Standard {
            sub: c.subject(),
            preferred_username: c.preferred_username(),
            email: c.email(),
            phone_number: c.phone_number(),
        };
        standard
            .get(&self.config.link_claim)
            .or_else(|| {
                info.additional_claims()
                    .0
                    .get(&self.config.link_claim)
                    .and_then(claim_text)
            })
            .ok_or_else(|| {
                Refusal::Rejected(format!("身份信息中没有 {} 声明", self.config.link_claim))
            })
    }
}

/// A claim value as text (strings and numbers: an ID or phone number may come as either).
fn claim_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

/// The standard claims a link can use (`sub`, `preferred_username`, `email`, `phone_number`).
struct Standard<'a> {
    sub: &'a SubjectIdentifier,
    preferred_username: Option<&'a EndUserUsername>,
    email: Option<&'a EndUserEmail>,
    phone_number: Option<&'a EndUserPhoneNumber>,
}

impl Standard<'_> {
    fn get(&self, name: &str) -> Option<String> {
        let value = match name {
            "sub" => Some(self.sub.as_str()),
            "preferred_username" => self.preferred_username.map(|v| v.as_str()),
            "email" => self.email.map(|v| v.as_str()),
            "phone_number" => self.phone_number.map(|v| v.as_str()),
            _ => None,
        };
        value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }
}

/// An identity as the office types it when linking: trimmed, 1 to 200 characters, no
/// control characters.
pub fn check_identity(identity: &str) -> Result<String, String> {
    let v = identity.trim();
    if v.is_empty() {
        return Err("请填写统一身份标识".into());
    }
    if v.chars().count() > 200 || v.chars().any(char::is_control) {
        return Err("统一身份标识须为 1 到 200 个字符，且不含控制字符".into());
    }
    Ok(v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_trimmed_and_bounded() {
        assert_eq!(check_identity("  zs_inspector ").unwrap(), "zs_inspector");
        assert!(check_identity("   ").is_err());
        assert!(check_identity(&"x".repeat(201)).is_err());
        assert!(check_identity("a\nb").is_err());
    }

    #[test]
    fn numbers_are_claim_text() {
        assert_eq!(
            claim_text(&serde_json::json!(13800138000u64)).as_deref(),
            Some("13800138000")
        );
        assert_eq!(
            claim_text(&serde_json::json!(" 5002 ")).as_deref(),
            Some("5002")
        );
        assert_eq!(claim_text(&serde_json::json!(true)), None);
    }
}
