package cn.anjian.app.ui

import androidx.compose.foundation.Image
import androidx.compose.foundation.border
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.remember
import androidx.compose.runtime.staticCompositionLocalOf
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.layout.ContentScale
import androidx.compose.ui.unit.dp
import cn.anjian.app.platform.ImageDecoder
import cn.anjian.core.EvidenceItem

val LocalImages = staticCompositionLocalOf<ImageDecoder> { ImageDecoder { null } }

/** A photo thumbnail with its flags said in words (位置异常, 无定位 ...). */
@Composable
fun PhotoThumb(e: EvidenceItem, path: String?, onFetch: (() -> Unit)? = null, fetchError: String? = null) {
    val decoder = LocalImages.current
    val bitmap = remember(path) { path?.let { runCatching { decoder.decode(it) }.getOrNull() } }
    Column(Modifier.padding(4.dp)) {
        Box(Modifier.size(112.dp).border(1.dp, Palette.muted), contentAlignment = Alignment.Center) {
            if (bitmap != null) {
                Image(bitmap, contentDescription = "${e.stageLabel}照片", contentScale = ContentScale.Crop, modifier = Modifier.size(112.dp))
            } else if (onFetch != null) {
                androidx.compose.material3.TextButton(onFetch, Modifier.size(112.dp)) {
                    Text("点击加载\n他人拍摄的照片", style = MaterialTheme.typography.labelMedium, color = Palette.primary)
                }
            } else {
                Text("照片", style = MaterialTheme.typography.bodySmall)
            }
        }
        Text(e.stageLabel, style = MaterialTheme.typography.labelSmall)
        e.notes.forEach { Text(it, style = MaterialTheme.typography.labelSmall, color = Palette.warning) }
        fetchError?.let { Text(it, style = MaterialTheme.typography.labelSmall, color = Palette.danger) }
    }
}
