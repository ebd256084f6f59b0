package cn.anjian.app.presenter

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update

/**
 * A screen's logic without UI: a state the screen draws and suspend functions for its events.
 * Tests call the functions and read [state]; the screen launches them from its scope.
 */
abstract class Presenter<S>(initial: S) {
    private val _state = MutableStateFlow(initial)
    val state: StateFlow<S> = _state.asStateFlow()

    protected fun set(value: S) {
        _state.value = value
    }

    protected fun update(f: (S) -> S) {
        _state.update(f)
    }

    /** Loads (or reloads) what the screen shows from the local store. */
    abstract suspend fun load()
}

/** Roles as the core names them. */
object Roles {
    const val PATROL_MEMBER = "patrol_member"
    const val SAFETY_OFFICE = "safety_office_staff"
    const val UNIT_HEAD = "unit_head"
    const val UNIT_DEPUTY = "unit_deputy_head"

    fun patrols(roles: List<String>) = roles.any { it == PATROL_MEMBER || it == SAFETY_OFFICE }
}
