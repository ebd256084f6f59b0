package cn.anjian.app

import com.google.zxing.BarcodeFormat
import com.google.zxing.BinaryBitmap
import com.google.zxing.DecodeHintType
import com.google.zxing.NotFoundException
import com.google.zxing.RGBLuminanceSource
import com.google.zxing.common.HybridBinarizer
import com.google.zxing.qrcode.QRCodeReader
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Test

/** Reading the site's code from a picture (`QrText`), on stickers drawn the way the server draws them. */
class QrTextTest {
    private class Sticker(val text: String, val modules: List<String>)

    /** The fixture: comment lines (`#` then a space), the last of them the text; then one row per module row. */
    private fun sticker(name: String): Sticker {
        val lines = javaClass.getResourceAsStream("/qr/$name")!!.bufferedReader().readLines()
        val comments = lines.filter { it.startsWith("# ") }
        return Sticker(comments.last().removePrefix("# "), lines.filter { it.isNotEmpty() && !it.startsWith("# ") })
    }

    /** ARGB pixels: `scale` pixels per module, a quiet zone of four modules, turned a quarter if asked. */
    private fun draw(modules: List<String>, scale: Int, quarterTurn: Boolean = false): Triple<Int, Int, IntArray> {
        val n = modules.size
        val side = (n + 8) * scale
        val px = IntArray(side * side) { WHITE }
        for (y in 0 until side) for (x in 0 until side) {
            val (mx, my) = (x / scale - 4) to (y / scale - 4)
            if (mx !in 0 until n || my !in 0 until n) continue
            val dark = if (quarterTurn) modules[n - 1 - mx][my] == '#' else modules[my][mx] == '#'
            if (dark) px[y * side + x] = BLACK
        }
        return Triple(side, side, px)
    }

    @Test
    fun aStickerWhoseDataLooksLikeAFinderPatternIsRead() {
        val sticker = sticker("sticker-plain-reader-misses.txt")
        val (w, h, px) = draw(sticker.modules, 5)

        // The fixture is what it says: ZXing's plain reader alone finds nothing in it.
        val hints = mapOf(DecodeHintType.TRY_HARDER to true, DecodeHintType.POSSIBLE_FORMATS to listOf(BarcodeFormat.QR_CODE))
        assertThrows(NotFoundException::class.java) {
            QRCodeReader().decode(BinaryBitmap(HybridBinarizer(RGBLuminanceSource(w, h, px))), hints)
        }

        assertEquals(sticker.text, QrText.decode(w, h, px))
        val (tw, th, turned) = draw(sticker.modules, 5, quarterTurn = true)
        assertEquals(sticker.text, QrText.decode(tw, th, turned), "the phone held sideways")
    }

    @Test
    fun aPictureWithoutACodeReadsNothing() {
        val side = 300
        val px = IntArray(side * side) { i -> if ((i / side / 20 + i % side / 20) % 2 == 0) WHITE else BLACK }
        assertNull(QrText.decode(side, side, px))
    }

    private companion object {
        const val WHITE = 0xFFFFFFFF.toInt()
        const val BLACK = 0xFF000000.toInt()
    }
}
