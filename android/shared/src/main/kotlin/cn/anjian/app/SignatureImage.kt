package cn.anjian.app

import java.io.ByteArrayOutputStream
import java.io.DataOutputStream
import java.util.zip.CRC32
import java.util.zip.Deflater
import kotlin.math.ceil
import kotlin.math.hypot
import kotlin.math.max
import kotlin.math.min

/** A point of a handwritten stroke, in the pad's fractions (0..1 across, 0..1 down). */
data class Ink(val x: Float, val y: Float)

/** A signature as drawn on the screen: strokes of points. */
data class Signature(val strokes: List<List<Ink>> = emptyList()) {
    /** Too little ink to be a signature (a tap, a stray line). */
    val isBlank: Boolean get() = strokes.sumOf { s -> s.zipWithNext { a, b -> hypot((b.x - a.x).toDouble(), (b.y - a.y).toDouble()) }.sum() } < 0.15

    fun begin(p: Ink) = Signature(strokes + listOf(listOf(clamp(p))))
    fun extend(p: Ink) = if (strokes.isEmpty()) begin(p) else Signature(strokes.dropLast(1) + listOf(strokes.last() + clamp(p)))

    private fun clamp(p: Ink) = Ink(p.x.coerceIn(0f, 1f), p.y.coerceIn(0f, 1f))
}

/**
 * Draws a signature to a PNG (dark ink on a transparent ground) for the core to put on the
 * document and hash. Written here, in plain Kotlin, so Android and the desktop sign alike.
 */
object SignatureImage {
    const val WIDTH = 600
    const val HEIGHT = 240
    private const val PEN = 3.2f

    fun png(sig: Signature, width: Int = WIDTH, height: Int = HEIGHT): ByteArray {
        val alpha = ByteArray(width * height)
        fun dot(cx: Float, cy: Float) {
            val r = PEN
            for (y in max(0, (cy - r).toInt())..min(height - 1, ceil(cy + r).toInt())) {
                for (x in max(0, (cx - r).toInt())..min(width - 1, ceil(cx + r).toInt())) {
                    val d = hypot((x + 0.5f - cx).toDouble(), (y + 0.5f - cy).toDouble())
                    val a = ((r + 0.5 - d).coerceIn(0.0, 1.0) * 255).toInt()
                    val i = y * width + x
                    if (a > (alpha[i].toInt() and 0xff)) alpha[i] = a.toByte()
                }
            }
        }
        for (stroke in sig.strokes) {
            val pts = stroke.map { it.x * (width - 1) to it.y * (height - 1) }
            if (pts.size == 1) dot(pts[0].first, pts[0].second)
            for ((a, b) in pts.zipWithNext()) {
                val len = hypot((b.first - a.first).toDouble(), (b.second - a.second).toDouble())
                val steps = max(1, (len * 2).toInt())
                for (k in 0..steps) {
                    val t = k.toFloat() / steps
                    dot(a.first + (b.first - a.first) * t, a.second + (b.second - a.second) * t)
                }
            }
        }
        // RGBA rows, each behind filter byte 0; ink #1A237E.
        val raw = ByteArray(height * (1 + width * 4))
        var o = 0
        for (y in 0 until height) {
            raw[o++] = 0
            for (x in 0 until width) {
                raw[o++] = 0x1A; raw[o++] = 0x23; raw[o++] = 0x7E.toByte(); raw[o++] = alpha[y * width + x]
            }
        }
        val deflater = Deflater(Deflater.BEST_COMPRESSION)
        deflater.setInput(raw)
        deflater.finish()
        val z = ByteArrayOutputStream()
        val buf = ByteArray(64 * 1024)
        while (!deflater.finished()) z.write(buf, 0, deflater.deflate(buf))
        deflater.end()

        val out = ByteArrayOutputStream()
        out.write(byteArrayOf(0x89.toByte(), 'P'.code.toByte(), 'N'.code.toByte(), 'G'.code.toByte(), 13, 10, 26, 10))
        fun chunk(type: String, data: ByteArray) {
            val d = DataOutputStream(out)
            d.writeInt(data.size)
            val t = type.toByteArray(Charsets.US_ASCII)
            d.write(t)
            d.write(data)
            val crc = CRC32()
            crc.update(t)
            crc.update(data)
            d.writeInt(crc.value.toInt())
        }
        val ihdr = ByteArrayOutputStream().also { b ->
            DataOutputStream(b).apply { writeInt(width); writeInt(height); write(byteArrayOf(8, 6, 0, 0, 0)) }
        }.toByteArray()
        chunk("IHDR", ihdr)
        chunk("IDAT", z.toByteArray())
        chunk("IEND", ByteArray(0))
        return out.toByteArray()
    }
}
