package cn.anjian.android

import android.Manifest
import android.content.Intent
import android.os.Build
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.OnBackPressedCallback
import androidx.activity.compose.setContent
import androidx.activity.result.contract.ActivityResultContracts
import cn.anjian.app.ui.AnjianApp
import cn.anjian.app.ui.Navigator
import cn.anjian.app.ui.Route

/** The Android entry: permissions, the camera launcher, the back key, and the shared app. */
class MainActivity : ComponentActivity() {
    private val takePicture = registerForActivityResult(ActivityResultContracts.TakePicture()) { ok ->
        (application as AnjianApplication).photos.onResult(ok)
    }
    private val openDocument = registerForActivityResult(ActivityResultContracts.OpenDocument()) { uri ->
        (application as AnjianApplication).documents.onResult(uri)
    }
    private val askLocation = registerForActivityResult(ActivityResultContracts.RequestMultiplePermissions()) {}

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val app = application as AnjianApplication
        app.photos.attach(this, takePicture)
        app.documents.attach(this, openDocument)
        val asked = mutableListOf(Manifest.permission.ACCESS_FINE_LOCATION, Manifest.permission.ACCESS_COARSE_LOCATION)
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.TIRAMISU) asked += Manifest.permission.POST_NOTIFICATIONS
        askLocation.launch(asked.toTypedArray())
        val session = app.session
        // Opened by the unified identity provider's link (the process may have been killed
        // while the person was in the browser): the login screen finishes the sign-in.
        val link = intent?.data?.takeIf { CustomTabsBrowser.isSignInLink(it) }
        val nav = Navigator(if (link == null && session.hasOfflineSession()) Route.Home else Route.Login)
        link?.let { session.signInLink(it.toString()) }
        if (intent?.getStringExtra(OPEN) == OPEN_REMINDERS && session.hasOfflineSession()) nav.go(Route.Reminders)
        onBackPressedDispatcher.addCallback(this, object : OnBackPressedCallback(true) {
            override fun handleOnBackPressed() {
                if (!nav.back()) finish()
            }
        })
        app.sync.scheduleBackgroundSync()
        setContent { AnjianApp(session, nav) }
    }

    companion object {
        /** A notification's tap: which screen to open. */
        const val OPEN = "open"
        const val OPEN_REMINDERS = "reminders"
    }

    /** The provider's link while the app runs (singleTask: this Activity is reused). */
    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        intent.data?.takeIf { CustomTabsBrowser.isSignInLink(it) }?.let {
            (application as AnjianApplication).session.signInLink(it.toString())
        }
    }

    override fun onDestroy() {
        (application as AnjianApplication).photos.detach(this)
        (application as AnjianApplication).documents.detach(this)
        super.onDestroy()
    }
}
