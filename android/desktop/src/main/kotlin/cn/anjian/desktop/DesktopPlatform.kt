package cn.anjian.desktop

import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.toComposeImageBitmap
import cn.anjian.app.platform.AppFiles
import cn.anjian.app.platform.ImageDecoder
import cn.anjian.app.platform.LocationFix
import cn.anjian.app.platform.LocationSource
import cn.anjian.app.platform.NetworkKind
import cn.anjian.app.platform.PhotoSource
import cn.anjian.app.platform.SyncScheduler
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import java.io.File
import javax.swing.JFileChooser
import javax.swing.filechooser.FileNameExtensionFilter

/** Skia decodes the core's JPEG thumbnails for display. */
object SkiaImages : ImageDecoder {
    override fun decode(path: String): ImageBitmap? {
        val f = File(path)
        if (!f.isFile) return null
        return org.jetbrains.skia.Image.makeFromEncoded(f.readBytes()).toComposeImageBitmap()
    }
}

/** On a laptop a photo is a JPEG file chosen from disk (a camera's card, a phone's export). */
class FileChooserPhotos : PhotoSource {
    override suspend fun takePhoto(purpose: String): String? = withContext(Dispatchers.Main) {
        val chooser = JFileChooser().apply {
            dialogTitle = "选择$purpose（JPEG）"
            fileFilter = FileNameExtensionFilter("JPEG 照片", "jpg", "jpeg")
        }
        if (chooser.showOpenDialog(null) == JFileChooser.APPROVE_OPTION) chooser.selectedFile.absolutePath else null
    }
}

/** Contracts and invoices are PDF or image files chosen from disk. */
class FileChooserDocuments : cn.anjian.app.platform.DocumentSource {
    override suspend fun pickDocument(purpose: String): String? = withContext(Dispatchers.Main) {
        val chooser = JFileChooser().apply {
            dialogTitle = "选择$purpose（PDF 或照片）"
            fileFilter = FileNameExtensionFilter("PDF 或 JPEG", "pdf", "jpg", "jpeg")
        }
        if (chooser.showOpenDialog(null) == JFileChooser.APPROVE_OPTION) chooser.selectedFile.absolutePath else null
    }
}

/**
 * A desktop has no GPS: the position comes from `ANJIAN_LOCATION=lat,lon[,accuracy]` when an
 * office worker sets where they are; otherwise there is no fix (and the app says so).
 */
class FixedLocation(private val fix: LocationFix?) : LocationSource {
    override suspend fun current(): LocationFix? = fix

    companion object {
        fun fromEnv(value: String?): FixedLocation {
            val parts = value?.split(',')?.mapNotNull { it.trim().toDoubleOrNull() }.orEmpty()
            return FixedLocation(if (parts.size >= 2) LocationFix(parts[0], parts[1], parts.getOrNull(2), mock = false) else null)
        }
    }
}

/** A laptop is on a fixed line: unmetered. Background sync is a timer in [Main]. */
class DesktopSync(private val onSchedule: () -> Unit = {}) : SyncScheduler {
    override fun scheduleBackgroundSync() = onSchedule()
    override fun cancelBackgroundSync() {}
    override fun network(): NetworkKind = NetworkKind.UNMETERED
}

class DesktopFiles(dir: File) : AppFiles {
    init {
        dir.mkdirs()
    }

    override val storePath: String = File(dir, "anjian.db").absolutePath
    override val scratchDir: String = File(dir, "scratch").apply { mkdirs() }.absolutePath
    override val watermarkFont: Pair<String, Int>? =
        File("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").takeIf { it.isFile }?.let { it.absolutePath to 2 }
}
