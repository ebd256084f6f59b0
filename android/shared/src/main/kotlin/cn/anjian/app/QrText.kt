package cn.anjian.app

import com.google.zxing.BarcodeFormat
import com.google.zxing.BinaryBitmap
import com.google.zxing.DecodeHintType
import com.google.zxing.ReaderException
import com.google.zxing.RGBLuminanceSource
import com.google.zxing.common.HybridBinarizer
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

    /** The text of the first QR code found in `argb` (row by row), or null when none is readable. */
    fun decode(width: Int, height: Int, argb: IntArray): String? {
        require(width > 0 && height > 0 && width.toLong() * height <= MAX_PIXELS) { "图片尺寸无效" }
        require(argb.size >= width * height) { "图片数据不完整" }
        val hints = mapOf(
            DecodeHintType.TRY_HARDER to true,
            DecodeHintType.POSSIBLE_FORMATS to listOf(BarcodeFormat.QR_CODE),
        )
        val bitmap = BinaryBitmap(HybridBinarizer(RGBLuminanceSource(width, height, argb)))
        return try {
            QRCodeReader().decode(bitmap, hints).text
        } catch (e: ReaderException) {
            null
        }
    }
}
