// The thin Android layer: Activity, camera, location, WorkManager. Everything else — screens,
// presenters, the generated bindings — is shared with the desktop build and tested there.
//
// Before building, put the core's .so files in place (from the repository root):
//   cargo ndk -t arm64-v8a -t armeabi-v7a -t x86_64 -o android/app/src/main/jniLibs \
//       build -p anjian-device --release
//   scripts/gen-bindings.sh
plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("org.jetbrains.kotlin.plugin.compose")
}

android {
    namespace = "cn.anjian.android"
    compileSdk = 35
    defaultConfig {
        applicationId = "cn.anjian.field"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        // The unified identity's app link (the county's ANJIAN_OIDC_APP_REDIRECT_URL):
        // `-Panjian.oidcLinkHost=anjian.zhongxian.gov.cn` at build time.
        val linkHost = (project.findProperty("anjian.oidcLinkHost") as String?) ?: "anjian.example.gov.cn"
        val linkPath = (project.findProperty("anjian.oidcLinkPath") as String?) ?: "/app/oidc"
        manifestPlaceholders["oidcLinkHost"] = linkHost
        manifestPlaceholders["oidcLinkPath"] = linkPath
        buildConfigField("String", "OIDC_LINK_HOST", "\"$linkHost\"")
        buildConfigField("String", "OIDC_LINK_PATH", "\"$linkPath\"")
    }
    sourceSets["main"].java.srcDirs(
        "src/main/kotlin",
        "../shared/src/main/kotlin",
        "../generated/kotlin",
    )
    buildFeatures {
        compose = true
        buildConfig = true
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
    packaging { jniLibs.useLegacyPackaging = false }
}

dependencies {
    val composeBom = platform("androidx.compose:compose-bom:2025.05.00")
    implementation(composeBom)
    implementation("androidx.compose.ui:ui")
    implementation("androidx.compose.foundation:foundation")
    implementation("androidx.compose.material3:material3")
    implementation("androidx.activity:activity-compose:1.10.1")
    // The unified identity sign-in opens the provider in a Custom Tab (never a web view).
    implementation("androidx.browser:browser:1.8.0")
    implementation("androidx.work:work-runtime-ktx:2.10.1")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.10.2")
    // The uniffi bindings call the core through JNA.
    implementation("net.java.dev.jna:jna:5.17.0@aar")
    // 扫码入企: QR decoding of the camera picture (shared code, see cn.anjian.app.QrText).
    implementation("com.google.zxing:core:3.5.3")
}
