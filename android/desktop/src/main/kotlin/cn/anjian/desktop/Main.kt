package cn.anjian.desktop

import androidx.compose.ui.unit.dp
import androidx.compose.ui.window.Window
import androidx.compose.ui.window.application
import androidx.compose.ui.window.rememberWindowState
import cn.anjian.app.Session
import cn.anjian.app.platform.Platform
import cn.anjian.app.ui.AnjianApp
import cn.anjian.core.AnjianStore
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import java.io.File

/**
 * The field app in a desktop window, on the real core: demos, and office staff who inspect
 * from a laptop. `scripts/run-app.sh [DATA_DIR]` builds and starts it.
 */
fun main(args: Array<String>) {
    val dir = File(args.firstOrNull() ?: (System.getProperty("user.home") + "/.local/share/anjian-app"))
    val files = DesktopFiles(dir)
    val store = AnjianStore.open(files.storePath)
    lateinit var session: Session
    val background = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    val sync = DesktopSync {
        // Every 15 minutes while the window is open, when signed in; never blocks a screen.
        background.launch {
            while (true) {
                delay(15 * 60 * 1000L)
                if (session.store.syncStatus().signedIn) session.startSync()
            }
        }
    }
    val platform = Platform(
        FileChooserPhotos(), FixedLocation.fromEnv(System.getenv("ANJIAN_LOCATION")), sync, files, SkiaImages, FileChooserDocuments(),
        scanner = PictureCodeScanner(), output = FolderDocumentOutput(),
        // The unified identity's page in the desktop's own browser (no app link comes back
        // to a desktop window: there the password login is the way in).
        browser = { url ->
            runCatching { java.awt.Desktop.getDesktop().browse(java.net.URI(url)) }.isSuccess
        },
    )
    session = Session(store, platform)
    sync.scheduleBackgroundSync()
    if (session.hasOfflineSession() && store.syncStatus().signedIn) session.startSync()
    application {
        Window(
            onCloseRequest = ::exitApplication,
            title = "安检",
            state = rememberWindowState(width = 440.dp, height = 900.dp),
        ) {
            AnjianApp(session)
        }
    }
}
