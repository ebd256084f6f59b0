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

/**
 * 扫码入企 on a laptop: a picture of the site's code (a photo of the sticker, or the sticker
 * file the console printed) is read from disk and its QR code decoded; the code's text can
 * also be pasted into the screen.
 */
class PictureCodeScanner : cn.anjian.app.platform.CodeScanner {
    override suspend fun scan(): String? {
        val path = withContext(Dispatchers.Main) {
            val chooser = JFileChooser().apply {
                dialogTitle = "选择场所码图片（PNG 或 JPEG）"
                fileFilter = FileNameExtensionFilter("图片", "png", "jpg", "jpeg")
            }
            if (chooser.showOpenDialog(null) == JFileChooser.APPROVE_OPTION) chooser.selectedFile.absolutePath else null
        } ?: return null
        return withContext(Dispatchers.Default) { decodePicture(File(path).readBytes()) }
    }

    companion object {
        /** The QR text in an encoded picture (PNG, JPEG), or null. */
        fun decodePicture(bytes: ByteArray): String? {
            val image = org.jetbrains.skia.Image.makeFromEncoded(bytes)
            val bitmap = org.jetbrains.skia.Bitmap.makeFromImage(image)
            return decodeBitmap(bitmap)
        }

        fun decodeBitmap(bitmap: org.jetbrains.skia.Bitmap): String? {
            val w = bitmap.width
            val h = bitmap.height
            val px = IntArray(w * h)
            for (y in 0 until h) for (x in 0 until w) px[y * w + x] = bitmap.getColor(x, y)
            return cn.anjian.app.QrText.decode(w, h, px)
        }
    }
}

/**
 * The documents left on site, on a laptop: a copy is saved in `~/安检文书/` (to send or print
 * from there) and the user is told where.
 */
class FolderDocumentOutput(private val dir: File = File(System.getProperty("user.home"), "安检文书")) : cn.anjian.app.platform.DocumentOutput {
    private fun save(pdfPath: String, title: String): File {
        dir.mkdirs()
        val safe = title.replace(Regex("[\\\\/:*?\"<>|]"), "_")
        return File(dir, "$safe.pdf").also { File(pdfPath).copyTo(it, overwrite = true) }
    }

    override suspend fun share(pdfPath: String, title: String): String =
        withContext(Dispatchers.IO) { "已保存到 ${save(pdfPath, title).absolutePath}" }

    override suspend fun print(pdfPath: String, title: String): String = withContext(Dispatchers.IO) {
        val f = save(pdfPath, title)
        val printed = runCatching {
            java.awt.Desktop.isDesktopSupported() && java.awt.Desktop.getDesktop().isSupported(java.awt.Desktop.Action.PRINT) &&
                java.awt.Desktop.getDesktop().print(f).let { true }
        }.getOrDefault(false)
        if (printed) "已送打印机：${f.name}" else "已保存到 ${f.absolutePath}，请从电脑打印"
    }
}
