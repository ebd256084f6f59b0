package cn.anjian.app.ui

import androidx.compose.foundation.BorderStroke
import androidx.compose.foundation.border
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.widthIn
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material3.Button
import androidx.compose.material3.ButtonDefaults
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.Typography
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.staticCompositionLocalOf
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.TextStyle
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.Dp
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp

/**
 * 适老化: every colour pair below has a contrast of at least 4.5:1 on its background (checked
 * in ThemeContrastTest); states are always said in words, never by colour alone; touch
 * targets are at least 48 dp, 60 dp in the large-text mode; sizes are in sp so the system
 * font scale applies on top.
 */
object Palette {
    val ink = Color(0xFF1A1C1E)
    val paper = Color(0xFFFFFFFF)
    val primary = Color(0xFF0B4F8A)
    val onPrimary = Color(0xFFFFFFFF)
    val danger = Color(0xFFA4161A)
    val warning = Color(0xFF7A4A00)
    val ok = Color(0xFF1B5E20)
    val muted = Color(0xFF4A4F55)
    val surfaceTint = Color(0xFFF1F4F8)
    val dangerBg = Color(0xFFFDECEC)
    val warningBg = Color(0xFFFFF4E0)
    val okBg = Color(0xFFE8F5E9)
}

data class Sizes(val touch: Dp, val gap: Dp, val large: Boolean)

val LocalSizes = staticCompositionLocalOf { Sizes(48.dp, 12.dp, false) }

@Composable
fun AnjianTheme(large: Boolean, content: @Composable () -> Unit) {
    val k = if (large) 1.3f else 1f
    fun s(size: Int, weight: FontWeight = FontWeight.Normal) =
        TextStyle(fontSize = (size * k).sp, lineHeight = (size * k * 1.4f).sp, fontWeight = weight)
    val typography = Typography(
        headlineSmall = s(22, FontWeight.Bold),
        titleLarge = s(20, FontWeight.Bold),
        titleMedium = s(18, FontWeight.Bold),
        bodyLarge = s(17),
        bodyMedium = s(16),
        bodySmall = s(14),
        labelLarge = s(17, FontWeight.Bold),
        labelMedium = s(15, FontWeight.Bold),
        labelSmall = s(14),
    )
    val colors = lightColorScheme(
        primary = Palette.primary,
        onPrimary = Palette.onPrimary,
        background = Palette.paper,
        onBackground = Palette.ink,
        surface = Palette.paper,
        onSurface = Palette.ink,
        surfaceVariant = Palette.surfaceTint,
        onSurfaceVariant = Palette.muted,
        error = Palette.danger,
        onError = Palette.onPrimary,
        secondaryContainer = Color(0xFFD6E4F5),
        onSecondaryContainer = Palette.ink,
    )
    CompositionLocalProvider(LocalSizes provides Sizes(if (large) 60.dp else 48.dp, if (large) 16.dp else 12.dp, large)) {
        MaterialTheme(colorScheme = colors, typography = typography) {
            Surface(color = Palette.paper, contentColor = Palette.ink, content = content)
        }
    }
}

enum class Tone(val fg: Color, val bg: Color) {
    DANGER(Palette.danger, Palette.dangerBg),
    WARNING(Palette.warning, Palette.warningBg),
    OK(Palette.ok, Palette.okBg),
    INFO(Palette.primary, Palette.surfaceTint),
    PLAIN(Palette.muted, Palette.surfaceTint),
}

/** A state in words with a frame (so it does not depend on colour). */
@Composable
fun Tag(text: String, tone: Tone = Tone.PLAIN) {
    Surface(
        color = tone.bg,
        contentColor = tone.fg,
        shape = RoundedCornerShape(6.dp),
        border = BorderStroke(1.5.dp, tone.fg),
    ) {
        Text(text, style = MaterialTheme.typography.labelMedium, modifier = Modifier.padding(horizontal = 8.dp, vertical = 2.dp))
    }
}

@Composable
fun BigButton(text: String, onClick: () -> Unit, modifier: Modifier = Modifier, enabled: Boolean = true, primary: Boolean = true) {
    val m = modifier.heightIn(min = LocalSizes.current.touch).widthIn(min = LocalSizes.current.touch)
    if (primary) {
        Button(onClick = onClick, enabled = enabled, modifier = m, colors = ButtonDefaults.buttonColors(containerColor = Palette.primary)) {
            Text(text, style = MaterialTheme.typography.labelLarge)
        }
    } else {
        OutlinedButton(onClick = onClick, enabled = enabled, modifier = m, border = BorderStroke(1.5.dp, Palette.primary)) {
            Text(text, style = MaterialTheme.typography.labelLarge, color = Palette.primary)
        }
    }
}

@Composable
fun Section(title: String, modifier: Modifier = Modifier, content: @Composable () -> Unit) {
    Card(
        modifier = modifier.fillMaxWidth(),
        colors = CardDefaults.cardColors(containerColor = Palette.surfaceTint, contentColor = Palette.ink),
    ) {
        Column(Modifier.padding(LocalSizes.current.gap), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            Text(title, style = MaterialTheme.typography.titleMedium)
            content()
        }
    }
}

@Composable
fun Loading(text: String = "正在读取本机数据…") {
    Box(Modifier.fillMaxWidth().padding(32.dp), contentAlignment = Alignment.Center) {
        Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(12.dp)) {
            CircularProgressIndicator(color = Palette.primary)
            Text(text, style = MaterialTheme.typography.bodyLarge)
        }
    }
}

/** A message in a frame: errors and refusals in Chinese, said in words. */
@Composable
fun Notice(text: String, tone: Tone = Tone.DANGER, title: String? = null, modifier: Modifier = Modifier) {
    Surface(
        color = tone.bg,
        contentColor = tone.fg,
        shape = RoundedCornerShape(8.dp),
        border = BorderStroke(2.dp, tone.fg),
        modifier = modifier.fillMaxWidth().semantics { contentDescription = (title?.let { "$it：" } ?: "") + text },
    ) {
        Column(Modifier.padding(12.dp)) {
            if (title != null) Text(title, style = MaterialTheme.typography.labelLarge)
            Text(text, style = MaterialTheme.typography.bodyMedium)
        }
    }
}

@Composable
fun Empty(text: String) {
    Box(Modifier.fillMaxWidth().padding(24.dp).border(1.dp, Palette.muted, RoundedCornerShape(8.dp)).padding(16.dp)) {
        Text(text, style = MaterialTheme.typography.bodyLarge, color = Palette.muted)
    }
}

/** The WCAG contrast ratio of two colours. */
fun contrast(a: Color, b: Color): Double {
    fun lum(c: Color): Double {
        fun ch(v: Float): Double = if (v <= 0.03928f) v / 12.92 else Math.pow((v + 0.055) / 1.055, 2.4)
        return 0.2126 * ch(c.red) + 0.7152 * ch(c.green) + 0.0722 * ch(c.blue)
    }
    val (l1, l2) = lum(a) to lum(b)
    return (maxOf(l1, l2) + 0.05) / (minOf(l1, l2) + 0.05)
}
