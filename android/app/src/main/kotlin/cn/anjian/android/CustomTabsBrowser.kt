package cn.anjian.android

import android.content.ActivityNotFoundException
import android.content.Context
import android.content.Intent
import android.net.Uri
import androidx.browser.customtabs.CustomTabsIntent
import cn.anjian.app.platform.SignInBrowser

/**
 * The unified identity provider's page in a Custom Tab (the system browser: the app never
 * sees the page or the password, unlike a web view). A browser without Custom Tabs opens
 * it as a plain page. The provider comes back through the app link in the manifest.
 */
class CustomTabsBrowser(private val context: Context) : SignInBrowser {
    override fun open(url: String): Boolean {
        val tab = CustomTabsIntent.Builder().setShowTitle(true).build()
        tab.intent.addFlags(Intent.FLAG_ACTIVITY_NEW_TASK)
        return try {
            tab.launchUrl(context, Uri.parse(url))
            true
        } catch (e: ActivityNotFoundException) {
            false
        }
    }

    companion object {
        /** The app link the provider returns to (ANJIAN_OIDC_APP_REDIRECT_URL on the server). */
        fun isSignInLink(uri: Uri?): Boolean =
            uri != null && uri.scheme == "https" && uri.host == BuildConfig.OIDC_LINK_HOST &&
                uri.path == BuildConfig.OIDC_LINK_PATH
    }
}
