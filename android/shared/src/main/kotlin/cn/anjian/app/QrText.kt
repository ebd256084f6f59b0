package cn.anjian.app

import com.google.zxing.BarcodeFormat
import com.google.zxing.BinaryBitmap
import com.google.zxing.DecodeHintType
import com.google.zxing.ReaderException
import com.google.zxing.RGBLuminanceSource
import com.google.zxing.common.HybridBinarizer
import com.google.zxing.multi.qrcode.QRCodeMultiReader
import com.google.zxing.qrcode.QRCodeReader

/**
 * 扫码入企 without a camera library: the text of a QR code in a picture (the sticker at the
 * gate, photographed with the system camera), decoded with ZXing's core on plain pixels so
 * the same code serves Android and the desktop. The text is then verified by the core
 * (`siteFromCode`): nothing read here is trusted.
 */
object QrText {
    /** Pictures larger than this are refused (a 48-megapixel photo is 48 M). */
    const val MAX_PIXELS = 50_000_000

    private val HINTS = mapOf(
        DecodeHintType.TRY_HARDER to true,
        DecodeHintType.POSSIBLE_FORMATS to listOf(BarcodeFormat.QR_CODE),
    )

    /**
     * The readers tried in turn, cheapest first. ZXing's plain reader keeps the three likeliest
     * finder patterns; when the code's data happens to draw a fourth (about one sticker in a few
     * hundred), it picks the wrong three and reads nothing. The multi-code reader tries every
     * plausible triple; the pure-code reader reads a clean picture (the sticker file itself)
     * without looking for finder patterns at all.
     */
    private val READERS: List<(BinaryBitmap) -> String> = listOf(
        { QRCodeReader().decode(it, HINTS).text },
        { QRCodeMultiReader().decodeMultiple(it, HINTS).first().text },
        { QRCodeReader().decode(it, HINTS + (DecodeHintType.PURE_BARCODE to true)).text },
    )

    /** The text of the first QR code found in `argb` (row by row), or null when none is readable. */
    fun decode(width: Int, height: Int, argb: IntArray): String? {
        require(width > 0 && height > 0 && width.toLong() * height <= MAX_PIXELS) { "图片尺寸无效" }
        require(argb.size >= width * height) { "图片数据不完整" }
        val bitmap = BinaryBitmap(HybridBinarizer(RGBLuminanceSource(width, height, argb)))
        for (read in READERS) {
            try {
                return read(bitmap)
            } catch (e: ReaderException) {
                continue
            }
        }
        return null
    }
}
