//! Sign-in through the unified identity provider (渝快政 and the like), for the login screen:
//! whether the server offers it, the URL for the system browser, and the finish with the
//! app link the provider sent back. The rules are in `crate::identity_login`.

use super::{AnjianStore, FfiResult, Profile};

#[uniffi::export]
impl AnjianStore {
    /// The second login button's text (e.g. 渝快政登录) when `server` lets the phone sign in
    /// through a unified identity provider, or None. Out of reach, the last answer for this
    /// server is given.
    pub fn identity_provider(&self, server: String) -> FfiResult<Option<String>> {
        Ok(self.inner().identity_provider(&server)?)
    }

    /// Starts a sign-in through the unified identity provider: open the returned URL in the
    /// system browser (Custom Tabs on Android, never a web view). The pending sign-in is
    /// kept in the store, so the app may be killed meanwhile.
    pub fn start_identity_login(&self, server: String) -> FfiResult<String> {
        Ok(self.inner().start_identity_login(&server)?)
    }

    /// Finishes the pending sign-in with the app link the provider opened (with `code` and
    /// `state`, or `error`); the signed-in person becomes this device's profile, as with
    /// the password login.
    pub fn finish_identity_login(&self, redirect_url: String) -> FfiResult<Profile> {
        Ok(self.inner().finish_identity_login(&redirect_url)?.into())
    }
}
