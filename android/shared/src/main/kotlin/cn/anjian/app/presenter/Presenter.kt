package cn.anjian.app.presenter

import cn.anjian.domain.InspectionKind
import cn.anjian.domain.Role

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

object Roles {
    /** 暗访: the office and the units' 工作专班. */
    fun patrols(roles: List<Role>) = roles.any { it == Role.PATROL_MEMBER || it == Role.SAFETY_OFFICE_STAFF }

    /** Heads of units and county leaders keep meetings and hardware-investment proof. */
    fun keepsRecords(roles: List<Role>) = roles.any {
        it == Role.UNIT_HEAD || it == Role.UNIT_DEPUTY_HEAD || it == Role.COUNTY_HEAD ||
            it == Role.COUNTY_DEPUTY_HEAD || it == Role.COUNTY_OTHER_LEADER
    }

    /** Everyone but a site's own contact inspects (which kinds, per site, is the policy's). */
    fun inspects(roles: List<Role>) = roles.any { it != Role.SITE_CONTACT }
}

/** The notice's short name of an inspection kind (五查). */
fun kindLabel(kind: InspectionKind): String = when (kind) {
    InspectionKind.LEADER_SUPERVISION -> "督查"
    InspectionKind.ROUTINE_CHECK -> "排查"
    InspectionKind.UNANNOUNCED_PATROL -> "暗访"
    InspectionKind.RANDOM_CHECK -> "抽查"
    InspectionKind.PROFESSIONAL_ASSESSMENT -> "专业评估"
}
