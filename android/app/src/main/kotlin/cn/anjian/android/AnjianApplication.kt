package cn.anjian.android

import android.app.Application
import cn.anjian.app.Session
import cn.anjian.app.platform.Platform
import cn.anjian.core.AnjianStore

/** One store and one session for the process; the Activity and the sync worker share them. */
class AnjianApplication : Application() {
    val files by lazy { AndroidFiles(this) }
    val photos = CameraPhotos()
    val documents = DocumentPicker()
    val location by lazy { AndroidLocation(this) }
    val sync by lazy { WorkManagerSync(this) }
    val session: Session by lazy {
        val store = AnjianStore.open(files.storePath)
        Session(
            store,
            Platform(
                photos, location, sync, files, AndroidImages, documents,
                scanner = CameraCodeScanner(photos),
                output = AndroidDocumentOutput(photos, this),
                notifier = ReminderNotifications(this),
                browser = CustomTabsBrowser(this),
            ),
        )
    }
}
