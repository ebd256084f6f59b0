package cn.anjian.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import cn.anjian.app.presenter.LoginState

@Composable
fun LoginScreen(
    state: LoginState,
    onServer: (String) -> Unit,
    onUser: (String) -> Unit,
    onPassword: (String) -> Unit,
    onSubmit: () -> Unit,
    onIdentity: () -> Unit = {},
) {
    Column(
        Modifier.fillMaxWidth().verticalScroll(rememberScrollState()).padding(24.dp),
        verticalArrangement = Arrangement.spacedBy(LocalSizes.current.gap),
    ) {
        Text("安检 · 五查四改月述考", style = MaterialTheme.typography.headlineSmall)
        Text("首次登录需要连接县里的服务器；之后没有网络也能检查、记录，有网时自动同步。", style = MaterialTheme.typography.bodyMedium)
        OutlinedTextField(
            state.server, onServer, label = { Text("服务器地址") }, singleLine = true,
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Uri),
            modifier = Modifier.fillMaxWidth().testTag("login.server"),
        )
        OutlinedTextField(
            state.username, onUser, label = { Text("账号") }, singleLine = true,
            modifier = Modifier.fillMaxWidth().testTag("login.user"),
        )
        OutlinedTextField(
            state.password, onPassword, label = { Text("密码") }, singleLine = true,
            visualTransformation = PasswordVisualTransformation(),
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Password),
            modifier = Modifier.fillMaxWidth().testTag("login.password"),
        )
        state.error?.let { Notice(it, title = "登录失败") }
        BigButton(if (state.busy) "正在登录…" else "登录", onSubmit, Modifier.fillMaxWidth().testTag("login.submit"), enabled = !state.busy)
        state.identityProvider?.let { name ->
            Text("或使用省统一身份认证（在系统浏览器中登录，本应用不接触其密码）", style = MaterialTheme.typography.bodyMedium)
            BigButton(name, onIdentity, Modifier.fillMaxWidth().testTag("login.identity"), enabled = !state.busy, primary = false)
            if (state.inBrowser) {
                Notice("已在浏览器中打开${name}页面；完成登录后会自动回到本应用。", Tone.INFO)
            }
        }
        state.previous?.let {
            Notice("本机保存有 ${it.name} 的记录，登录后不会删除，未同步的记录会在该账号同步时上传。", Tone.INFO)
        }
    }
}
