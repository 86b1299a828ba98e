package com.example.support

import io.agora.AgoraAPIOnlySignal
import io.agora.IAgoraAPI

class Presence(private val api: AgoraAPIOnlySignal, private val session: UserSession) {
    fun watch(peer: String) {
        api.queryUserStatus(peer)
        api.invoke("io.agora.signal.user_query_user_status", """{"account":"$peer"}""", "q1")
    }

    fun handler() = object : AgoraAPI.CallBack() {
        override fun onQueryUserStatusResult(name: String, status: String) {
            show(name, status == "1")
        }

        override fun onLogout(ecode: Int) {
            when (ecode) {
                IAgoraAPI.ECODE_LOGOUT_E_NET -> reconnect()
                else -> Unit
            }
        }
    }

    fun leave() {
        session.logout() // scan: none
        // api.channelLeave("support") scan: none
        val hint = "api.messageInstantSend(peer, msg)" // scan: none
        api.messageAppSend("bye", "m1")
        api.logout()
    }
}
