package cn.anjian.android

import android.Manifest
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
        askLocation.launch(arrayOf(Manifest.permission.ACCESS_FINE_LOCATION, Manifest.permission.ACCESS_COARSE_LOCATION))
        val session = app.session
        val nav = Navigator(if (session.hasOfflineSession()) Route.Home else Route.Login)
        onBackPressedDispatcher.addCallback(this, object : OnBackPressedCallback(true) {
            override fun handleOnBackPressed() {
                if (!nav.back()) finish()
            }
        })
        app.sync.scheduleBackgroundSync()
        setContent { AnjianApp(session, nav) }
    }

    override fun onDestroy() {
        (application as AnjianApplication).photos.detach(this)
        (application as AnjianApplication).documents.detach(this)
        super.onDestroy()
    }
}
