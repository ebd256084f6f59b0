// The Android app (Gradle). Not built on the project's machines: Google's Maven repository
// and the Android SDK are not reachable there. The shared UI, presenters and bindings it
// compiles are built and tested by Maven (pom.xml beside this file) on every run.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "anjian-android"
include(":app")
