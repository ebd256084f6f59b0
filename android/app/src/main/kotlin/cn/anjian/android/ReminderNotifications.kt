package cn.anjian.android

import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.os.Build
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import cn.anjian.app.platform.ReminderNotifier
import cn.anjian.core.ReminderRecord

/**
 * New reminders after a sync as system notifications (channel 提醒), one per reminder with a
 * stable id, so a reminder is shown once; tapping one opens the app's 提醒 list. Silently does
 * nothing when the user has not allowed notifications (the in-app banner still shows).
 */
class ReminderNotifications(private val context: Context) : ReminderNotifier {
    override fun notify(reminders: List<ReminderRecord>) {
        val manager = NotificationManagerCompat.from(context)
        if (!manager.areNotificationsEnabled()) return
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.O) {
            manager.createNotificationChannel(
                NotificationChannel(CHANNEL, "提醒", NotificationManager.IMPORTANCE_DEFAULT).apply {
                    description = "隐患交办、到期、逾期，月底报送和暗访计划的提醒"
                },
            )
        }
        val open = Intent(context, MainActivity::class.java)
            .putExtra(MainActivity.OPEN, MainActivity.OPEN_REMINDERS)
            .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK or Intent.FLAG_ACTIVITY_CLEAR_TOP)
        val tap = PendingIntent.getActivity(context, 0, open, PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT)
        for (r in reminders) {
            val n = NotificationCompat.Builder(context, CHANNEL)
                .setSmallIcon(android.R.drawable.ic_dialog_info)
                .setContentTitle(r.title)
                .setContentText(r.text)
                .setStyle(NotificationCompat.BigTextStyle().bigText(r.text))
                .setContentIntent(tap)
                .setAutoCancel(true)
                .build()
            try {
                manager.notify(r.id.hashCode(), n)
            } catch (_: SecurityException) {
                return // POST_NOTIFICATIONS revoked meanwhile
            }
        }
    }

    companion object {
        const val CHANNEL = "reminders"
    }
}
